package io.nrj.runtime.cuda;

import static io.nrj.runtime.bindings.cudart_h.cudaGetDeviceCount;

import io.nrj.runtime.bindings.cublas_h;
import io.nrj.runtime.bindings.cudart_h;
import io.nrj.runtime.bindings.cudnn_h;
import io.nrj.runtime.bindings.nvrtc_h;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether the CUDA backend can run here, and if not, every reason why. Loads the four libraries
 * and asks the runtime for devices; never throws. Note that a loadable libcudart does not mean a
 * usable GPU: without a driver, {@code cudaGetDeviceCount} returns {@code
 * cudaErrorInsufficientDriver} (35).
 */
public final class CudaProbe {
  /** The libraries the backend links, in the order they are probed. */
  public static final List<String> LIBRARIES =
      List.of(cudart_h.LIBRARY, cublas_h.LIBRARY, cudnn_h.LIBRARY, nvrtc_h.LIBRARY);

  /**
   * @param problems empty when CUDA is usable; else one line per problem
   * @param shortProblems the same problems in a few words each, for {@code --device auto}'s note
   * @param devices the device count, 0 when unknown
   */
  public record Result(List<String> problems, List<String> shortProblems, int devices) {
    public boolean usable() {
      return problems.isEmpty();
    }

    /** E.g. {@code missing libcudnn.so.9; no CUDA device (cudaErrorInsufficientDriver)}. */
    public String summary() {
      return String.join("; ", shortProblems);
    }
  }

  private CudaProbe() {}

  /** Probes the libraries and the devices. */
  public static Result probe() {
    var problems = new ArrayList<String>();
    var short_ = new ArrayList<String>();
    boolean cudart = false;
    for (String library : LIBRARIES) {
      try {
        NativeLibraries.lookup(library);
        cudart |= library.equals(cudart_h.LIBRARY);
      } catch (MissingLibraryException e) {
        problems.add(e.getMessage());
        short_.add("missing " + library);
      } catch (RuntimeException | LinkageError e) {
        problems.add("cannot load " + library + ": " + e);
        short_.add("cannot load " + library);
      }
    }
    int devices = 0;
    if (cudart) {
      try {
        devices = deviceCount(problems, short_);
      } catch (RuntimeException | LinkageError e) {
        problems.add("no CUDA device: cudaGetDeviceCount failed: " + e);
        short_.add("no CUDA device");
      }
    }
    return new Result(List.copyOf(problems), List.copyOf(short_), devices);
  }

  private static int deviceCount(List<String> problems, List<String> short_) {
    try (var arena = Arena.ofConfined()) {
      var count = arena.allocate(ValueLayout.JAVA_INT);
      int status = cudaGetDeviceCount(count);
      if (status != 0) {
        problems.add(noDevice(status, Cuda.errorName(status), Cuda.errorText(status)));
        short_.add("no CUDA device (" + Cuda.errorName(status) + ")");
        return 0;
      }
      int n = count.get(ValueLayout.JAVA_INT, 0);
      if (n == 0) {
        problems.add("no CUDA device: cudaGetDeviceCount found 0 devices");
        short_.add("no CUDA device");
      }
      return n;
    }
  }

  /**
   * {@code no CUDA device: cudaGetDeviceCount returned cudaErrorInsufficientDriver (35): CUDA
   * driver version is insufficient for CUDA runtime version (is an NVIDIA driver installed and a GPU
   * visible? check nvidia-smi)}.
   */
  static String noDevice(int status, String name, String text) {
    return "no CUDA device: cudaGetDeviceCount returned " + name + " (" + status + ")"
        + (text.isBlank() ? "" : ": " + text)
        + " (is an NVIDIA driver installed and a GPU visible? check nvidia-smi)";
  }
}
