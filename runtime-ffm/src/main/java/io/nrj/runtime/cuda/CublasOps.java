package io.nrj.runtime.cuda;

import static io.nrj.runtime.bindings.cublas_h.CUBLAS_DEFAULT_MATH;
import static io.nrj.runtime.bindings.cublas_h.CUBLAS_OP_N;
import static io.nrj.runtime.bindings.cublas_h.CUBLAS_OP_T;
import static io.nrj.runtime.bindings.cublas_h.CUBLAS_TF32_TENSOR_OP_MATH;
import static io.nrj.runtime.bindings.cublas_h.cublasCreate_v2;
import static io.nrj.runtime.bindings.cublas_h.cublasDestroy_v2;
import static io.nrj.runtime.bindings.cublas_h.cublasSetMathMode;
import static io.nrj.runtime.bindings.cublas_h.cublasSetStream_v2;
import static io.nrj.runtime.bindings.cublas_h.cublasSgemm_v2;
import static io.nrj.runtime.cuda.Cublas.check;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The classifier's three GEMMs on row-major tensors. cuBLAS is column-major, and a row-major (r,
 * c) matrix is the column-major (c, r) matrix, its transpose; so each row-major product A B is
 * computed as the column-major B^T A^T, which needs no copies.
 */
final class CublasOps implements AutoCloseable {
  private final NativeHandle handle;
  private final MemorySegment one;
  private final MemorySegment zero;

  CublasOps(MemorySegment stream, boolean tf32, Arena arena) {
    this.handle = NativeHandle.create("cublasCreate_v2", h -> cublasCreate_v2(h), Cublas::check, "cublasDestroy_v2",
        h -> cublasDestroy_v2(h));
    check(cublasSetStream_v2(handle.get(), stream), "cublasSetStream_v2");
    check(cublasSetMathMode(handle.get(), tf32 ? CUBLAS_TF32_TENSOR_OP_MATH() : CUBLAS_DEFAULT_MATH()),
        "cublasSetMathMode");
    this.one = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
    this.zero = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0f);
  }

  /** y (n, k) += x (n, c) w^T, w (k, c): column-major y^T (k, n) = w (k x c, stored c x k)^T x^T. */
  void gemmForward(MemorySegment x, MemorySegment w, MemorySegment y, int n, int c, int k) {
    check(cublasSgemm_v2(handle.get(), CUBLAS_OP_T(), CUBLAS_OP_N(), k, n, c, one, w, c, x, c, one, y, k),
        "cublasSgemm_v2(linear forward)");
  }

  /** dx (n, c) += dy (n, k) w (k, c): column-major dx^T (c, n) = w^T (c, k) dy^T (k, n). */
  void gemmBackwardData(MemorySegment w, MemorySegment dy, MemorySegment dx, int n, int c, int k) {
    check(cublasSgemm_v2(handle.get(), CUBLAS_OP_N(), CUBLAS_OP_N(), c, n, k, one, w, c, dy, k, one, dx, c),
        "cublasSgemm_v2(linear backward data)");
  }

  /** dw (k, c) += dy^T (k, n) x (n, c): column-major dw^T (c, k) = x^T (c, n) dy (n, k). */
  void gemmBackwardWeights(MemorySegment x, MemorySegment dy, MemorySegment dw, int n, int c, int k) {
    check(cublasSgemm_v2(handle.get(), CUBLAS_OP_N(), CUBLAS_OP_T(), c, k, n, one, x, c, dy, k, one, dw, c),
        "cublasSgemm_v2(linear backward weights)");
  }

  @Override
  public void close() {
    handle.close();
  }
}
