package io.nrj.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nrj.runtime.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fully connected products against double-precision loops, on both sides of {@link
 * Linear#SMALL}: plain loops for a small classifier (64 x 64 -> 10), the SGEMM for LeNet-5's (64 x
 * 500 -> 10) and a wide one; forward with bias, and the accumulating backward.
 */
class LinearTest {
  @ParameterizedTest(name = "n{0} c{1} k{2}")
  @CsvSource({"64, 64, 10", "3, 7, 5", "64, 500, 10", "32, 300, 40"})
  void matchesDoubleLoops(int n, int c, int k) {
    float[] x = GradCheck.uniform(1, n * c), w = GradCheck.uniform(2, k * c), b = GradCheck.uniform(3, k);
    float[] dy = GradCheck.uniform(4, n * k), dx0 = GradCheck.uniform(5, n * c), dw0 = GradCheck.uniform(6, k * c);
    try (CpuBackend be = new CpuBackend(2, true)) {
      Tensor tx = up(be, x), tw = up(be, w), tb = up(be, b), ty = be.allocate(n * k), tdy = up(be, dy);
      Tensor tdx = up(be, dx0), tdw = up(be, dw0), tdb = be.allocate(k);
      be.fill(tdb, 0f);
      be.linearForward(tx, tw, tb, ty, n, c, k);
      be.linearBackward(tx, tw, tdy, tdx, tdw, tdb, n, c, k);
      float[] y = be.download(ty), dx = be.download(tdx), dw = be.download(tdw), db = be.download(tdb);
      for (int i = 0; i < n; i++) {
        for (int o = 0; o < k; o++) {
          double s = b[o];
          for (int j = 0; j < c; j++) s += (double) x[i * c + j] * w[o * c + j];
          assertEquals(s, y[i * k + o], 1e-5 * c, "y[" + i + "," + o + "]");
        }
        for (int j = 0; j < c; j++) {
          double s = dx0[i * c + j];
          for (int o = 0; o < k; o++) s += (double) dy[i * k + o] * w[o * c + j];
          assertEquals(s, dx[i * c + j], 1e-5 * k, "dx[" + i + "," + j + "]");
        }
      }
      for (int o = 0; o < k; o++) {
        double sb = 0;
        for (int i = 0; i < n; i++) sb += dy[i * k + o];
        assertEquals(sb, db[o], 1e-5 * n, "db[" + o + "]");
        for (int j = 0; j < c; j++) {
          double s = dw0[o * c + j];
          for (int i = 0; i < n; i++) s += (double) dy[i * k + o] * x[i * c + j];
          assertEquals(s, dw[o * c + j], 1e-5 * n, "dw[" + o + "," + j + "]");
        }
      }
    }
  }

  private static Tensor up(CpuBackend b, float[] v) {
    Tensor t = b.allocate(v.length);
    b.upload(t, v);
    return t;
  }
}
