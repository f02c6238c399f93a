package io.nrj.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.runtime.Backend;
import io.nrj.runtime.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CPU backend's fused batch norm + ReLU (forward) and ReLU + batch norm (backward) against the
 * same computation in double precision, for planes longer and shorter than a vector (the row-wise
 * path for 1x1 and 2x2 feature maps), with and without ReLU, and with a large mean against the
 * spread (the shifted sums must not cancel); and the same bits for 1 and 3 threads, whose channel
 * ranges split into different blocks of channels ({@code NormKernels.channelBlock}: 300 channels of
 * 8x8 go as 256 + 44 on one thread, 100 per thread on three); and the same bits from the scalar
 * fallback as from the vector kernels (its per-lane float sums repeat the vector lanes', masked
 * tails included).
 */
class FusedNormTest {
  @ParameterizedTest(name = "n{0} c{1} hw{2} relu={3} offset={4}")
  @CsvSource({
    "4, 3, 64, true, 0", "4, 3, 64, false, 0", "5, 7, 1, true, 0", "5, 7, 4, false, 0", "3, 17, 9, true, 0",
    "8, 5, 40, true, 100", "6, 500, 1, true, 3", "4, 300, 64, true, 0", "2, 40, 256, false, 0",
    "3, 6, 20, true, 0.5",
  })
  void fusedMatchesUnfused(int n, int c, int hw, boolean relu, float offset) {
    float[] x = GradCheck.uniform(1, n * c * hw), dy = GradCheck.uniform(2, n * c * hw);
    for (int i = 0; i < x.length; i++) x[i] += offset;
    float[] gamma = GradCheck.uniform(3, c), beta = GradCheck.uniform(4, c);
    float[][] ref = reference(x, dy, gamma, beta, n, c, hw, relu);
    float[][] first = null;
    for (int run = 0; run < 3; run++) {
      int threads = run == 1 ? 3 : 1;
      boolean vector = run < 2;
      try (CpuBackend cpu = new CpuBackend(threads, vector)) {
        float[][] got = run(cpu, x, dy, gamma, beta, n, c, hw, relu);
        String[] names = {"y", "running mean", "running var", "dx", "dgamma", "dbeta"};
        for (int i = 0; i < ref.length; i++) {
          double scale = 0;
          for (float v : ref[i]) scale = Math.max(scale, Math.abs(v));
          for (int j = 0; j < ref[i].length; j++) {
            double err = Math.abs(ref[i][j] - got[i][j]);
            int k = i, e = j;
            assertTrue(err <= 2e-5 * Math.max(1, scale), () -> names[k] + "[" + e + "]: " + ref[k][e] + " vs " + got[k][e]);
          }
          if (first != null) assertArrayEquals(first[i], got[i], names[i] + ": bits differ across thread counts or from the scalar path");
        }
        if (first == null) first = got;
      }
    }
  }

  /**
   * BN plus a residual (and ReLU) in BN's second pass gives the bits of BN, then the sum (the
   * backend's default, which {@code batchNormAddReluForwardTrain} replaces), on long and short
   * planes, by the vector kernels and the scalar fallback; y may not be r, but is written whole.
   */
  @ParameterizedTest(name = "n{0} c{1} hw{2} relu={3}")
  @CsvSource({"4, 3, 64, true", "3, 5, 40, false", "5, 7, 4, true", "6, 300, 1, false", "2, 6, 20, true"})
  void residualInTheSecondPassMatchesTheSumAfterIt(int n, int c, int hw, boolean relu) {
    float[] x = GradCheck.uniform(1, n * c * hw), r = GradCheck.uniform(6, n * c * hw);
    float[] gamma = GradCheck.uniform(3, c), beta = GradCheck.uniform(4, c);
    for (boolean vector : new boolean[] {true, false}) {
      try (CpuBackend cpu = new CpuBackend(2, vector)) {
        Tensor xt = up(cpu, x), rt = up(cpu, r), g = up(cpu, gamma), bt = up(cpu, beta);
        float[][] got = new float[2][];
        for (int fused = 0; fused < 2; fused++) {
          Tensor rm = cpu.allocate(c), rv = cpu.allocate(c), sm = cpu.allocate(c), si = cpu.allocate(c), y = cpu.allocate(n * c * hw);
          cpu.fill(rv, 1f);
          cpu.fill(y, 7f);
          if (fused == 1) {
            cpu.batchNormAddReluForwardTrain(xt, g, bt, rm, rv, rt, y, sm, si, n, c, hw, 1e-5, 0.1, relu);
          } else {
            cpu.batchNormReluForwardTrain(xt, g, bt, rm, rv, y, sm, si, null, n, c, hw, 1e-5, 0.1, false);
            if (relu) cpu.addRelu(y, rt, y);
            else cpu.add(y, rt, y);
          }
          got[fused] = cpu.download(y);
        }
        assertArrayEquals(got[0], got[1], "vector=" + vector + ": fused and unfused bits differ");
      }
    }
  }

  private static float[][] run(Backend b, float[] xv, float[] dyv, float[] gv, float[] bv, int n, int c, int hw, boolean relu) {
    Tensor x = up(b, xv), dy = up(b, dyv), gamma = up(b, gv), beta = up(b, bv);
    Tensor rm = b.allocate(c), rv = b.allocate(c), sm = b.allocate(c), si = b.allocate(c);
    b.fill(rv, 1f);
    Tensor y = b.allocate(n * c * hw), dx = b.allocate(n * c * hw), scratch = b.allocate(n * c * hw);
    Tensor dg = b.allocate(c), db = b.allocate(c);
    b.fill(dx, 7f); // overwritten, not accumulated
    Tensor affine = b.allocate(2 * c), dx2 = b.allocate(n * c * hw), dg2 = b.allocate(c), db2 = b.allocate(c);
    b.batchNormReluForwardTrain(x, gamma, beta, rm, rv, y, sm, si, affine, n, c, hw, 1e-5, 0.1, relu);
    b.reluBatchNormBackward(x, y, dy, gamma, sm, si, null, dx, dg, db, n, c, hw, relu, scratch);
    // the mask recomputed from x with the forward's scale and shift: the bits of the mask read from y
    b.reluBatchNormBackward(x, y, dy, gamma, sm, si, affine, dx2, dg2, db2, n, c, hw, relu, scratch);
    assertArrayEquals(b.download(dx), b.download(dx2), "dx with the mask from x");
    assertArrayEquals(b.download(dg), b.download(dg2), "dgamma with the mask from x");
    assertArrayEquals(b.download(db), b.download(db2), "dbeta with the mask from x");
    return new float[][] {b.download(y), b.download(rm), b.download(rv), b.download(dx), b.download(dg), b.download(db)};
  }

  /** y, running mean, running var, dx, dgamma, dbeta in double (eps 1e-5, momentum 0.1). */
  private static float[][] reference(float[] x, float[] dy, float[] gamma, float[] beta, int n, int c, int hw, boolean relu) {
    int m = n * hw;
    float[] y = new float[x.length], rm = new float[c], rv = new float[c], dx = new float[x.length], dg = new float[c], db = new float[c];
    for (int ch = 0; ch < c; ch++) {
      double sum = 0, sq = 0;
      for (int i = 0; i < n; i++) for (int u = 0; u < hw; u++) sum += x[(i * c + ch) * hw + u];
      double mean = sum / m;
      for (int i = 0; i < n; i++) for (int u = 0; u < hw; u++) sq += Math.pow(x[(i * c + ch) * hw + u] - mean, 2);
      double var = sq / m, inv = 1 / Math.sqrt(var + 1e-5);
      rm[ch] = (float) (0.1 * mean);
      rv[ch] = (float) (0.9 + 0.1 * (m > 1 ? sq / (m - 1) : var));
      double sg = 0, sgx = 0;
      for (int i = 0; i < n; i++) {
        for (int u = 0; u < hw; u++) {
          int e = (i * c + ch) * hw + u;
          double v = gamma[ch] * (x[e] - mean) * inv + beta[ch];
          y[e] = (float) (relu ? Math.max(v, 0) : v);
          double g = relu && v <= 0 ? 0 : dy[e];
          sg += g;
          sgx += g * (x[e] - mean) * inv;
        }
      }
      db[ch] = (float) sg;
      dg[ch] = (float) sgx;
      for (int i = 0; i < n; i++) {
        for (int u = 0; u < hw; u++) {
          int e = (i * c + ch) * hw + u;
          double v = gamma[ch] * (x[e] - mean) * inv + beta[ch];
          double g = relu && v <= 0 ? 0 : dy[e];
          dx[e] = (float) (gamma[ch] * inv * (g - sg / m - (x[e] - mean) * inv * sgx / m));
        }
      }
    }
    return new float[][] {y, rm, rv, dx, dg, db};
  }

  private static Tensor up(Backend b, float[] v) {
    Tensor t = b.allocate(v.length);
    b.upload(t, v);
    return t;
  }
}
