package io.nrj.runtime.cuda;

import static io.nrj.runtime.bindings.cudart_h.cudaErrorMemoryAllocation;
import static io.nrj.runtime.bindings.cudart_h.cudaGetErrorName;
import static io.nrj.runtime.bindings.cudart_h.cudaGetErrorString;

import java.lang.foreign.MemorySegment;

/**
 * Status checks for the CUDA runtime, after llm.c's {@code cudaCheck}: call sites read {@code
 * check(cudaMalloc(ptr, bytes), "cudaMalloc")}.
 */
public final class Cuda {
  private Cuda() {}

  /** Throws a {@link CudaException} (out of memory: {@link CudaOutOfMemoryException}) unless 0. */
  public static void check(int status, String call) {
    if (status != 0) {
      throw error(status, call);
    }
  }

  /** The exception for a failed runtime call, named with {@code cudaGetErrorName/String}. */
  public static CudaException error(int status, String call) {
    String name = errorName(status);
    String text = errorText(status);
    return status == cudaErrorMemoryAllocation()
        ? new CudaOutOfMemoryException(call, status, name, text)
        : new CudaException(call, status, name, text);
  }

  /** {@code cudaErrorInsufficientDriver} for 35. */
  public static String errorName(int status) {
    return string(cudaGetErrorName(status));
  }

  /** {@code cudaGetErrorString}: "out of memory" for 2. */
  public static String errorText(int status) {
    return string(cudaGetErrorString(status));
  }

  static String string(MemorySegment cString) {
    return cString.equals(MemorySegment.NULL) ? "" : cString.getString(0);
  }
}
