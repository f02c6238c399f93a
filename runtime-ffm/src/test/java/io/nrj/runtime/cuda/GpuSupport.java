package io.nrj.runtime.cuda;

import io.nrj.runtime.bindings.cudart_h;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;

/**
 * What this machine offers, probed once; for {@code @EnabledIf("io.nrj.runtime.cuda.GpuSupport#...")}.
 * Every method here returns a precomputed boolean and never throws, so a missing library or driver
 * skips tests instead of failing them.
 */
public final class GpuSupport {
  private static final boolean CUDART = probeCudart();
  private static final int DEVICE_COUNT_STATUS = CUDART ? probeDeviceCountStatus() : -1;
  private static final boolean GPU = probeGpu();

  private GpuSupport() {}

  /** libcudart.so.13 loads (true on the build machine, which has no GPU). */
  public static boolean cudartLoads() {
    return CUDART;
  }

  /** cudaGetDeviceCount's status, or -1 when libcudart does not load. */
  public static int deviceCountStatus() {
    return DEVICE_COUNT_STATUS;
  }

  /** All four libraries load and there is a device: the CUDA backend can run. */
  public static boolean gpuAvailable() {
    return GPU;
  }

  /** The opposite of {@link #gpuAvailable()}: tests of the fallback path. */
  public static boolean gpuUnavailable() {
    return !GPU;
  }

  /** libcudart loads but reports no usable driver (status 35), as on the build machine. */
  public static boolean cudartWithoutDriver() {
    return DEVICE_COUNT_STATUS == 35;
  }

  private static boolean probeCudart() {
    try {
      NativeLibraries.lookup(cudart_h.LIBRARY);
      return true;
    } catch (Throwable e) {
      return false;
    }
  }

  private static int probeDeviceCountStatus() {
    try (var arena = Arena.ofConfined()) {
      return cudart_h.cudaGetDeviceCount(arena.allocate(ValueLayout.JAVA_INT));
    } catch (Throwable e) {
      return -1;
    }
  }

  private static boolean probeGpu() {
    try {
      return CudaProbe.probe().usable();
    } catch (Throwable e) {
      return false;
    }
  }
}
