package io.nrj.runtime.cuda;

import static io.nrj.runtime.bindings.cublas_h.CUBLAS_STATUS_ALLOC_FAILED;
import static io.nrj.runtime.bindings.cublas_h.cublasGetStatusName;
import static io.nrj.runtime.bindings.cublas_h.cublasGetStatusString;

/** Status checks for cuBLAS: {@code check(cublasSgemm_v2(...), "cublasSgemm_v2")}. */
public final class Cublas {
  private Cublas() {}

  public static void check(int status, String call) {
    if (status == 0) {
      return;
    }
    String name = Cuda.string(cublasGetStatusName(status));
    String text = Cuda.string(cublasGetStatusString(status));
    throw status == CUBLAS_STATUS_ALLOC_FAILED()
        ? new CudaOutOfMemoryException(call, status, name, text)
        : new CudaException(call, status, name, text);
  }
}
