package io.nrj.runtime.cuda;

/**
 * A failed call into the CUDA runtime, cuBLAS, cuDNN or NVRTC: names the call, the status enum
 * constant and number, and the library's own error text. Thrown by {@link Cuda#check}, {@link
 * Cublas#check}, {@link Cudnn#check} and {@link Nvrtc#check}.
 */
public class CudaException extends RuntimeException {
  private final String call;
  private final int status;
  private final String statusName;

  public CudaException(String call, int status, String statusName, String detail) {
    super(format(call, status, statusName, detail));
    this.call = call;
    this.status = status;
    this.statusName = statusName;
  }

  /** {@code call failed: NAME (status): detail}, the detail left out when empty. */
  static String format(String call, int status, String statusName, String detail) {
    String head = call + " failed: " + statusName + " (" + status + ")";
    return detail == null || detail.isBlank() ? head : head + ": " + detail.strip();
  }

  /** The library function that failed, e.g. {@code cudnnConvolutionForward}. */
  public String call() {
    return call;
  }

  /** The numeric status it returned. */
  public int status() {
    return status;
  }

  /** The status's enum constant, e.g. {@code CUDNN_STATUS_BAD_PARAM}. */
  public String statusName() {
    return statusName;
  }
}
