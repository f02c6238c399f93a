package io.nrj.runtime.cuda;

import static io.nrj.runtime.cuda.Parity.assertClose;

import io.nrj.runtime.Tensor;
import io.nrj.runtime.cpu.CpuBackend;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The row-major to column-major mapping of the classifier's three GEMMs, checked without a GPU:
 * each {@link CublasOps.Gemm} is executed by a reference SGEMM with cuBLAS's column-major
 * semantics and compared with the CPU backend's linear layer.
 */
class CublasIndexMappingTest {
  /** cuBLAS sgemm: C (m x n, ldc) += op(A) (m x k) op(B) (k x n), all column-major. */
  static void sgemm(CublasOps.Gemm g, float[] a, float[] b, float[] c) {
    for (int j = 0; j < g.n(); j++) {
      for (int i = 0; i < g.m(); i++) {
        double s = 0;
        for (int p = 0; p < g.k(); p++) {
          float av = g.transA() ? a[p + i * g.lda()] : a[i + p * g.lda()];
          float bv = g.transB() ? b[j + p * g.ldb()] : b[p + j * g.ldb()];
          s += (double) av * bv;
        }
        c[i + j * g.ldc()] += (float) s;
      }
    }
  }

  @Test
  void theThreeGemmsComputeTheLinearLayer() {
    int n = 5, c = 7, k = 3;
    Random r = new Random(1);
    float[] x = Parity.gauss(r, n * c), w = Parity.gauss(r, k * c), b = new float[k], dy = Parity.gauss(r, n * k);
    try (var cpu = new CpuBackend(1, false); Tensor tx = cpu.allocate(n, c); Tensor tw = cpu.allocate(k, c);
        Tensor tb = cpu.allocate(k); Tensor ty = cpu.allocate(n, k); Tensor tdy = cpu.allocate(n, k);
        Tensor tdx = cpu.allocate(n, c); Tensor tdw = cpu.allocate(k, c); Tensor tdb = cpu.allocate(k)) {
      cpu.upload(tx, x);
      cpu.upload(tw, w);
      cpu.upload(tb, b);
      cpu.upload(tdy, dy);
      cpu.linearForward(tx, tw, tb, ty, n, c, k);
      cpu.linearBackward(tx, tw, tdy, tdx, tdw, tdb, n, c, k);

      float[] y = new float[n * k];
      sgemm(CublasOps.forward(n, c, k), w, x, y);
      assertClose(y, cpu.download(ty), 1e-5, "forward");
      float[] dx = new float[n * c];
      sgemm(CublasOps.backwardData(n, c, k), w, dy, dx);
      assertClose(dx, cpu.download(tdx), 1e-5, "backward data");
      float[] dw = new float[k * c];
      sgemm(CublasOps.backwardWeights(n, c, k), x, dy, dw);
      assertClose(dw, cpu.download(tdw), 1e-5, "backward weights");
    }
  }
}
