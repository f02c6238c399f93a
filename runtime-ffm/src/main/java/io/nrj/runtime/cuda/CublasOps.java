package io.nrj.runtime.cuda;

import static io.nrj.runtime.bindings.cublas_h.CUBLAS_DEFAULT_MATH;
import static io.nrj.runtime.bindings.cublas_h.CUBLAS_OP_N;
import static io.nrj.runtime.bindings.cublas_h.CUBLAS_OP_T;
import static io.nrj.runtime.bindings.cublas_h.CUBLAS_TF32_TENSOR_OP_MATH;
import static io.nrj.runtime.bindings.cublas_h.cublasCreate_v2;
import static io.nrj.runtime.bindings.cublas_h.cublasDestroy_v2;
import static io.nrj.runtime.bindings.cublas_h.cublasSetMathMode;
import static io.nrj.runtime.bindings.cublas_h.cublasSetStream_v2;
import static io.nrj.runtime.bindings.cublas_h.cublasSetWorkspace_v2;
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
  /** cuBLAS's scratch space, set explicitly so that no allocation happens inside a CUDA graph. */
  private static final long WORKSPACE_BYTES = 32L << 20;

  private final NativeHandle handle;
  private final DeviceBuffer workspace;
  private final MemorySegment one;

  CublasOps(MemorySegment stream, boolean tf32, Arena arena, DeviceMemoryPool memory) {
    this.handle = NativeHandle.create("cublasCreate_v2", h -> cublasCreate_v2(h), Cublas::check, "cublasDestroy_v2",
        h -> cublasDestroy_v2(h));
    check(cublasSetStream_v2(handle.get(), stream), "cublasSetStream_v2");
    check(cublasSetMathMode(handle.get(), tf32 ? CUBLAS_TF32_TENSOR_OP_MATH() : CUBLAS_DEFAULT_MATH()),
        "cublasSetMathMode");
    this.workspace = memory.allocate(WORKSPACE_BYTES);
    check(cublasSetWorkspace_v2(handle.get(), workspace.address(), workspace.bytes()), "cublasSetWorkspace_v2");
    this.one = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
  }

  /**
   * One column-major SGEMM {@code C = op(A) op(B) + C} (alpha = beta = 1): the operands are named
   * by role so the same description drives cuBLAS and the CPU-side test of the index mapping.
   */
  record Gemm(boolean transA, boolean transB, int m, int n, int k, int lda, int ldb, int ldc) {}

  /** y (n, k) += x (n, c) w^T, w (k, c): column-major y^T (k, n) = op_T(w as c x k) x^T (c, n). A = w, B = x. */
  static Gemm forward(int n, int c, int k) {
    return new Gemm(true, false, k, n, c, c, c, k);
  }

  /** dx (n, c) += dy (n, k) w (k, c): column-major dx^T (c, n) = w^T (c, k) dy^T (k, n). A = w, B = dy. */
  static Gemm backwardData(int n, int c, int k) {
    return new Gemm(false, false, c, n, k, c, k, c);
  }

  /** dw (k, c) += dy^T (k, n) x (n, c): column-major dw^T (c, k) = x^T (c, n) op_T(dy^T) (n, k). A = x, B = dy. */
  static Gemm backwardWeights(int n, int c, int k) {
    return new Gemm(false, true, c, k, n, c, k, c);
  }

  private void run(Gemm g, MemorySegment a, MemorySegment b, MemorySegment c, String what) {
    check(cublasSgemm_v2(handle.get(), g.transA() ? CUBLAS_OP_T() : CUBLAS_OP_N(), g.transB() ? CUBLAS_OP_T() : CUBLAS_OP_N(),
        g.m(), g.n(), g.k(), one, a, g.lda(), b, g.ldb(), one, c, g.ldc()), "cublasSgemm_v2(" + what + ")");
  }

  void gemmForward(MemorySegment x, MemorySegment w, MemorySegment y, int n, int c, int k) {
    run(forward(n, c, k), w, x, y, "linear forward");
  }

  void gemmBackwardData(MemorySegment w, MemorySegment dy, MemorySegment dx, int n, int c, int k) {
    run(backwardData(n, c, k), w, dy, dx, "linear backward data");
  }

  void gemmBackwardWeights(MemorySegment x, MemorySegment dy, MemorySegment dw, int n, int c, int k) {
    run(backwardWeights(n, c, k), x, dy, dw, "linear backward weights");
  }

  @Override
  public void close() {
    handle.close();
    workspace.close();
  }
}
