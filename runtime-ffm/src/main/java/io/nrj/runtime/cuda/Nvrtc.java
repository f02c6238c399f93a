package io.nrj.runtime.cuda;

import static io.nrj.runtime.bindings.nvrtc_h.nvrtcGetErrorString;

/** Status checks for NVRTC; compile errors add the program log (see {@link Kernels}). */
public final class Nvrtc {
  private Nvrtc() {}

  public static void check(int status, String call) {
    check(status, call, "");
  }

  /** As {@link #check(int, String)}, appending {@code log} (the compiler's output) to the text. */
  public static void check(int status, String call, String log) {
    if (status != 0) {
      String name = Cuda.string(nvrtcGetErrorString(status));
      throw new CudaException(call, status, name, log);
    }
  }
}
