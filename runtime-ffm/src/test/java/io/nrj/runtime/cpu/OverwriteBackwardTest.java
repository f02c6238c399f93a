package io.nrj.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.nrj.runtime.ConvGeom;
import io.nrj.runtime.PoolGeom;
import io.nrj.runtime.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The overwriting backward operations (used by the first writer of a gradient buffer) give the same
 * bits as zeroing the buffer and adding: max pooling (vector groups of 16 windows, the scalar rest,
 * odd sizes, ties between window elements, as dead ReLU channels make them) and each convolution
 * algorithm's backward data.
 */
class OverwriteBackwardTest {
  @ParameterizedTest(name = "n{0} c{1} {2}x{3}, vector={4}")
  @CsvSource({"2, 3, 32, 32, true", "2, 3, 32, 32, false", "1, 2, 40, 36, true", "2, 2, 7, 9, true", "1, 1, 64, 18, true",
    "2, 3, 16, 16, true", "1, 2, 17, 16, true"})
  void maxPoolOverwriteEqualsZeroThenAdd(int n, int c, int h, int w, boolean vector) {
    PoolGeom g = new PoolGeom(n, c, h, w, 2, 2, 0);
    float[] x = GradCheck.uniform(1, n * c * h * w);
    for (int i = 0; i < x.length; i += 3) x[i] = 0f; // ties: several zeros in a window
    float[] dy = GradCheck.uniform(2, n * c * g.outH() * g.outW());
    try (CpuBackend b = new CpuBackend(2, vector)) {
      Tensor tx = up(b, x), tdy = up(b, dy), ty = b.allocate(n, c, g.outH(), g.outW());
      b.maxPoolForward(tx, ty, g);
      Tensor ref = up(b, GradCheck.uniform(3, x.length)), got = up(b, GradCheck.uniform(4, x.length));
      b.fill(ref, 0f);
      b.maxPoolBackward(tx, ty, tdy, ref, g, true);
      b.maxPoolBackward(tx, ty, tdy, got, g, false); // got held garbage: every element must be written
      assertArrayEquals(b.download(ref), b.download(got));
    }
  }

  /** The vector max pooling (16 windows of a row, or two rows of 8 on 16-column maps) against the scalar loop. */
  @ParameterizedTest(name = "n{0} c{1} {2}x{3}")
  @CsvSource({"2, 3, 16, 16", "1, 2, 17, 16", "2, 2, 32, 32", "1, 2, 40, 36", "2, 2, 7, 9", "2, 3, 24, 24", "1, 2, 8, 8", "1, 1, 3, 3"})
  void maxPoolVectorEqualsScalar(int n, int c, int h, int w) {
    PoolGeom g = new PoolGeom(n, c, h, w, 2, 2, 0);
    float[] x = GradCheck.uniform(1, n * c * h * w);
    for (int i = 0; i < x.length; i += 3) x[i] = 0f;
    float[] dy = GradCheck.uniform(2, n * c * g.outH() * g.outW());
    float[][] out = new float[2][];
    float[][] dxs = new float[2][];
    for (int v = 0; v < 2; v++) {
      try (CpuBackend b = new CpuBackend(2, v == 0)) {
        Tensor tx = up(b, x), tdy = up(b, dy), ty = b.allocate(n, c, g.outH(), g.outW()), dx = up(b, GradCheck.uniform(4, x.length));
        b.maxPoolForward(tx, ty, g);
        b.maxPoolBackward(tx, ty, tdy, dx, g, false);
        out[v] = b.download(ty);
        dxs[v] = b.download(dx);
      }
    }
    assertArrayEquals(out[1], out[0], "forward");
    assertArrayEquals(dxs[1], dxs[0], "backward");
  }

  /** Global average pooling's backward (dx += dy / hw) in vectors against the scalar loop, with tails. */
  @ParameterizedTest(name = "planes{0} hw{1}")
  @CsvSource({"6, 64", "5, 17", "3, 1024", "4, 1"})
  void globalAvgPoolBackwardVectorEqualsScalar(int planes, int hw) {
    float[] dy = GradCheck.uniform(1, planes), dx0 = GradCheck.uniform(2, planes * hw);
    float[][] out = new float[2][];
    for (int v = 0; v < 2; v++) {
      try (CpuBackend b = new CpuBackend(2, v == 0)) {
        Tensor tdy = up(b, dy), tdx = up(b, dx0);
        b.globalAvgPoolBackward(tdy, tdx, planes, 1, hw);
        out[v] = b.download(tdx);
      }
    }
    assertArrayEquals(out[1], out[0]);
    for (int i = 0; i < dx0.length; i++) org.junit.jupiter.api.Assertions.assertEquals(dx0[i] + dy[i / hw] / hw, out[0][i], 0f);
  }

  @ParameterizedTest(name = "{0}: n{1} c{2} {3}x{3} k{4} r{5} pad{6} stride{7}")
  @CsvSource({
    "direct, 2, 5, 9, 7, 3, 1, 1", "gemm, 2, 5, 9, 7, 3, 1, 1", "winograd, 2, 5, 9, 7, 3, 1, 1", "direct, 2, 6, 5, 4, 1, 0, 1",
    "auto, 2, 4, 6, 3, 6, 0, 1", "lanes, 2, 5, 8, 7, 3, 1, 1", "lanes, 2, 33, 16, 4, 3, 1, 1", "auto, 2, 5, 9, 6, 1, 0, 2",
    "direct, 2, 16, 32, 8, 3, 1, 1", // by output rows, written from the registers
    "wlanes, 2, 40, 8, 33, 3, 1, 1", "wlanes, 2, 5, 16, 7, 3, 1, 1", // WinogradLanes: row pairs of a block and a rest
  })
  void convBackwardDataOverwriteEqualsZeroThenAdd(String algo, int n, int c, int hw, int k, int r, int pad, int stride) {
    ConvGeom g = new ConvGeom(n, c, hw, hw, k, r, r, stride, pad);
    try (CpuBackend b = new CpuBackend(2, true, algo)) {
      Tensor w = up(b, GradCheck.uniform(1, k * c * r * r)), dy = up(b, GradCheck.uniform(2, n * k * g.outH() * g.outW()));
      Tensor ref = up(b, GradCheck.uniform(3, n * c * hw * hw)), got = up(b, GradCheck.uniform(4, n * c * hw * hw));
      b.fill(ref, 0f);
      b.convBackwardData(dy, w, ref, g, true);
      b.convBackwardData(dy, w, got, g, false);
      assertArrayEquals(b.download(ref), b.download(got));
    }
  }

  private static Tensor up(CpuBackend b, float[] v) {
    Tensor t = b.allocate(v.length);
    b.upload(t, v);
    return t;
  }
}
