package io.nrj.runtime.cuda;

/** The device ran out of memory; the message says how much was asked for and how much is free. */
public final class CudaOutOfMemoryException extends CudaException {
  public CudaOutOfMemoryException(String call, int status, String statusName, String detail) {
    super(call, status, statusName, detail);
  }
}
