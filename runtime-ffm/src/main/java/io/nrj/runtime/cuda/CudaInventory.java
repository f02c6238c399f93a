package io.nrj.runtime.cuda;

import static io.nrj.runtime.bindings.cudart_h.cudaDevAttrComputeCapabilityMajor;
import static io.nrj.runtime.bindings.cudart_h.cudaDevAttrComputeCapabilityMinor;
import static io.nrj.runtime.bindings.cudart_h.cudaDevAttrMultiProcessorCount;
import static io.nrj.runtime.bindings.cudart_h.cudaDeviceGetAttribute;
import static io.nrj.runtime.bindings.cudart_h.cudaDriverGetVersion;
import static io.nrj.runtime.bindings.cudart_h.cudaMemGetInfo;
import static io.nrj.runtime.bindings.cudart_h.cudaRuntimeGetVersion;
import static io.nrj.runtime.bindings.cudart_h.cudaSetDevice;

import io.nrj.runtime.bindings.cudart_h;
import io.nrj.runtime.bindings.cudnn_h;
import io.nrj.runtime.bindings.nvrtc_h;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * What the CUDA backend finds on this machine, for {@code nrj devices}: each library with where it
 * was loaded from and its version, the driver, and each device. Never throws: what cannot be
 * asked is reported as a problem.
 */
public final class CudaInventory {
  private CudaInventory() {}

  /**
   * @param origin the file it was loaded from (or "the system loader path"), null when missing
   * @param version e.g. "9.24.0", null when unknown (cuBLAS only tells through a handle, which
   *     needs a device)
   * @param problem why it is missing, null when loaded
   */
  public record Library(String soname, String origin, String version, String problem) {}

  /** One device: compute capability, multiprocessors and memory. */
  public record Device(int ordinal, int major, int minor, int multiprocessors, long freeBytes, long totalBytes) {}

  /**
   * @param driver the driver's CUDA version (e.g. "13.0"), null without a driver
   * @param usable whether {@code --device cuda} (and auto) would use the GPU
   * @param problems every reason it would not, as {@code --device cuda} reports them
   */
  public record Inventory(List<Library> libraries, String driver, List<Device> devices, boolean usable,
      List<String> problems) {}

  /** Loads what loads and asks it. */
  public static Inventory take() {
    CudaProbe.Result probe = CudaProbe.probe();
    var libraries = new ArrayList<Library>();
    for (String soname : CudaProbe.LIBRARIES) {
      String origin = NativeLibraries.origin(soname);
      String problem = null;
      if (origin == null) {
        problem = probe.problems().stream().filter(p -> p.contains(soname)).findFirst().orElse("not loaded");
      }
      libraries.add(new Library(soname, origin, origin == null ? null : version(soname), problem));
    }
    String driver = null;
    var devices = new ArrayList<Device>();
    if (NativeLibraries.origin(cudart_h.LIBRARY) != null) {
      driver = ask(() -> {
        try (var arena = Arena.ofConfined()) {
          var v = arena.allocate(ValueLayout.JAVA_INT);
          int version = cudaDriverGetVersion(v) == 0 ? v.get(ValueLayout.JAVA_INT, 0) : 0;
          return version == 0 ? null : cudaVersion(version);
        }
      });
      for (int d = 0; d < probe.devices(); d++) {
        Device device = device(d);
        if (device != null) devices.add(device);
      }
    }
    return new Inventory(List.copyOf(libraries), driver, List.copyOf(devices), probe.usable(), probe.problems());
  }

  private static String version(String soname) {
    return ask(() -> {
      try (var arena = Arena.ofConfined()) {
        if (soname.equals(cudart_h.LIBRARY)) {
          var v = arena.allocate(ValueLayout.JAVA_INT);
          return cudaRuntimeGetVersion(v) == 0 ? cudaVersion(v.get(ValueLayout.JAVA_INT, 0)) : null;
        }
        if (soname.equals(cudnn_h.LIBRARY)) {
          long v = cudnn_h.cudnnGetVersion(); // cuDNN 9: major * 10000 + minor * 100 + patch
          return (v / 10000) + "." + (v / 100 % 100) + "." + (v % 100);
        }
        if (soname.equals(nvrtc_h.LIBRARY)) {
          var major = arena.allocate(ValueLayout.JAVA_INT);
          var minor = arena.allocate(ValueLayout.JAVA_INT);
          return nvrtc_h.nvrtcVersion(major, minor) == 0
              ? major.get(ValueLayout.JAVA_INT, 0) + "." + minor.get(ValueLayout.JAVA_INT, 0) : null;
        }
        return null;
      }
    });
  }

  private static Device device(int ordinal) {
    return ask(() -> {
      try (var arena = Arena.ofConfined()) {
        var v = arena.allocate(ValueLayout.JAVA_INT);
        int[] attrs = {cudaDevAttrComputeCapabilityMajor(), cudaDevAttrComputeCapabilityMinor(),
            cudaDevAttrMultiProcessorCount()};
        int[] values = new int[attrs.length];
        for (int i = 0; i < attrs.length; i++) {
          if (cudaDeviceGetAttribute(v, attrs[i], ordinal) != 0) return null;
          values[i] = v.get(ValueLayout.JAVA_INT, 0);
        }
        long free = -1;
        long total = -1;
        var f = arena.allocate(ValueLayout.JAVA_LONG);
        var t = arena.allocate(ValueLayout.JAVA_LONG);
        if (cudaSetDevice(ordinal) == 0 && cudaMemGetInfo(f, t) == 0) {
          free = f.get(ValueLayout.JAVA_LONG, 0);
          total = t.get(ValueLayout.JAVA_LONG, 0);
        }
        return new Device(ordinal, values[0], values[1], values[2], free, total);
      }
    });
  }

  /** 13000 -> "13.0" (CUDA's 1000 * major + 10 * minor). */
  static String cudaVersion(int v) {
    return (v / 1000) + "." + (v % 1000 / 10);
  }

  private interface Question<T> {
    T ask();
  }

  private static <T> T ask(Question<T> q) {
    try {
      return q.ask();
    } catch (RuntimeException | LinkageError e) {
      return null; // reported as unknown; the probe's problems say why the backend cannot start
    }
  }
}
