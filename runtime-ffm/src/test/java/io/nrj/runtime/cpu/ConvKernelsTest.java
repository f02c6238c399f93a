package io.nrj.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.runtime.ConvGeom;
import io.nrj.runtime.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The implicit-GEMM convolution against direct loops ({@link ConvReference}) on shapes that cross
 * every blocking edge: rows not a multiple of MR (8), columns straddling images and NC blocks (90
 * images of 25 pixels > 2048 columns), reductions longer than KC (256), padding larger than the
 * stride; and the same bits for 1 and 3 threads and for the vector and scalar paths.
 */
class ConvKernelsTest {
  @ParameterizedTest(name = "n{0} c{1} {2}x{3} k{4} r{5}x{6} stride{7} pad{8}")
  @CsvSource({
    "2, 3, 7, 7, 5, 3, 3, 1, 1",
    "2, 1, 28, 28, 20, 5, 5, 1, 0",
    "2, 20, 12, 12, 50, 5, 5, 1, 0",
    "2, 37, 9, 11, 19, 3, 3, 2, 1",
    "5, 64, 4, 4, 33, 3, 3, 1, 1",
    "3, 40, 6, 6, 9, 1, 1, 1, 0",
    "2, 8, 10, 10, 6, 1, 1, 2, 0",
    "1, 300, 3, 3, 10, 1, 1, 1, 0",
    "90, 2, 5, 5, 3, 3, 3, 1, 1",
    "2, 3, 13, 13, 4, 7, 7, 2, 3",
    "1, 2, 6, 6, 3, 3, 3, 3, 2",
    "3, 16, 32, 32, 16, 3, 3, 1, 1",
    "2, 5, 9, 7, 11, 3, 3, 1, 0",
    "2, 7, 8, 8, 9, 5, 5, 1, 2",
    "2, 13, 6, 6, 21, 1, 1, 1, 0",
    "2, 3, 5, 5, 4, 3, 3, 1, 2",
    "3, 5, 4, 4, 37, 4, 4, 1, 0",
    "3, 9, 7, 5, 11, 3, 3, 1, 1",
    "2, 17, 34, 35, 10, 3, 3, 1, 1",
    "3, 19, 8, 8, 37, 3, 3, 1, 1",
    "2, 33, 16, 16, 64, 3, 3, 1, 1",
    "3, 40, 8, 8, 70, 1, 1, 1, 0",
    "2, 6, 12, 12, 33, 5, 5, 1, 0",
    "2, 5, 8, 16, 34, 3, 3, 1, 2",
    "2, 16, 16, 16, 16, 3, 3, 1, 1",
    "2, 20, 32, 32, 17, 3, 3, 1, 1",
    "1, 130, 32, 32, 9, 1, 1, 1, 0",
    "20, 24, 8, 8, 10, 1, 1, 1, 0",
    "17, 12, 16, 16, 9, 1, 1, 1, 0",
    // PointwiseOuterFilter: 64 transposed channels (x) by 70 rows; 32 (dy) by 96 on an odd plane;
    // groups of two images in chunks of one
    "9, 64, 4, 4, 70, 1, 1, 1, 0",
    "10, 96, 5, 5, 32, 1, 1, 1, 0",
    "16, 64, 24, 24, 96, 1, 1, 1, 0",
    // StridedPointwise: stride 2 on an odd map (into the outer-product weight gradient), stride 3
    "3, 40, 9, 9, 33, 1, 1, 2, 0",
    "2, 5, 7, 8, 6, 1, 1, 3, 0",
    // DirectConv on stride phases: ResNet's 3x3 stride 2 at 16x16 outputs (forward and weight
    // gradient), an odd map, a 4x4 kernel, padding 0
    "3, 6, 32, 32, 5, 3, 3, 2, 1",
    "2, 5, 11, 9, 7, 3, 3, 2, 1",
    "2, 3, 12, 12, 4, 4, 4, 2, 1",
    "2, 4, 10, 10, 3, 3, 3, 2, 0",
    // DirectConv's weight gradient by image groups: 8 groups of 5 images, each in chunks of 2, 2, 1
    "40, 20, 32, 32, 20, 3, 3, 1, 1",
    // DirectConv by output rows (maps 32 wide, written from the registers): forward 8->24 and
    // backward data 24->8 at 32x32, 5 rows of 32, a 5x5 filter with padding 2
    "2, 8, 32, 32, 24, 3, 3, 1, 1",
    "3, 16, 5, 32, 8, 3, 3, 1, 1",
    "2, 8, 6, 32, 8, 5, 5, 1, 2",
    // WinogradLanes: 16 tiles of 8x8 into 40 outputs (a block and a quarter), 64 tiles of 16x16
    // from 33 planes; 8 tiles of 4x16 (backward data into 5 planes, a block mostly empty); the
    // weight gradient's 16-channel blocks of x (24 and 33: partial) and 32-channel ones of dy (40
    // and 12: partial), and 40 images of 32 channels at 16x16 in two chunks (32 and 8 images)
    "3, 24, 8, 8, 40, 3, 3, 1, 1",
    "2, 33, 16, 16, 32, 3, 3, 1, 1",
    "2, 5, 4, 16, 12, 3, 3, 1, 1",
    "40, 32, 16, 16, 32, 3, 3, 1, 1",
  })
  void matchesDirectLoopsForEveryPathAndThreadCount(int n, int c, int h, int w, int k, int r, int s, int stride, int pad) {
    ConvGeom g = new ConvGeom(n, c, h, w, k, r, s, stride, pad);
    float[] x = GradCheck.uniform(1, n * c * h * w), wt = GradCheck.uniform(2, k * c * r * s);
    float[] dy = GradCheck.uniform(3, n * k * g.outH() * g.outW());
    float[] dx0 = GradCheck.uniform(4, x.length), dw0 = GradCheck.uniform(5, wt.length);
    float[][] ref = run(new CpuThreads(1), null, g, x, wt, dy, dx0, dw0);
    java.util.List<String> algos = new java.util.ArrayList<>(java.util.List.of("gemm"));
    if (DirectConv.supports(g)) algos.add("direct");
    if (Winograd.supports(g)) algos.add("winograd");
    if (DirectConv.supports(g)) algos.add("lanes"); // its weight gradient takes every stride-1 geometry
    if (WinogradLanes.supports(g)) algos.add("wlanes");
    if (g.stride() > 1) algos.add("auto"); // StridedPointwise, or the direct kernels on stride phases
    for (String algo : algos) {
      float[][] first = null;
      for (int threads : new int[] {1, 3}) {
        for (boolean vector : new boolean[] {true, false}) {
          try (CpuBackend b = new CpuBackend(threads, vector, algo)) {
            float[][] got = run(null, b, g, x, wt, dy, dx0, dw0);
            String[] names = {"y", "dx", "dw"};
            for (int i = 0; i < 3; i++) {
              String what = names[i] + " " + algo + " threads=" + threads + " vector=" + vector;
              assertClose(what, ref[i], got[i]);
              if (first != null) assertArrayEquals(first[i], got[i], what + ": bits differ across thread counts or paths");
            }
            if (first == null) first = got;
          }
        }
      }
    }
  }

  /** y, dx (starting from dx0) and dw (starting from dw0), by the reference when pool != null. */
  private static float[][] run(CpuThreads pool, CpuBackend b, ConvGeom g, float[] x, float[] w, float[] dy, float[] dx0, float[] dw0) {
    CpuBackend be = b != null ? b : new CpuBackend(1, false);
    Tensor tx = up(be, x), tw = up(be, w), tdy = up(be, dy), tdx = up(be, dx0), tdw = up(be, dw0);
    Tensor ty = be.allocate(dy.length);
    if (pool != null) {
      ConvReference.forward(pool, false, ((CpuTensor) tx).segment(), ((CpuTensor) tw).segment(), ((CpuTensor) ty).segment(), g);
      ConvReference.backwardData(pool, false, ((CpuTensor) tdy).segment(), ((CpuTensor) tw).segment(), ((CpuTensor) tdx).segment(), g);
      ConvReference.backwardFilter(pool, false, ((CpuTensor) tx).segment(), ((CpuTensor) tdy).segment(), ((CpuTensor) tdw).segment(), g);
    } else {
      be.convForward(tx, tw, ty, g);
      be.convBackwardData(tdy, tw, tdx, g);
      be.convBackwardFilter(tx, tdy, tdw, g);
    }
    float[][] out = {be.download(ty), be.download(tdx), be.download(tdw)};
    if (b == null) be.close();
    return out;
  }

  private static Tensor up(CpuBackend b, float[] v) {
    Tensor t = b.allocate(v.length);
    b.upload(t, v);
    return t;
  }

  private static void assertClose(String what, float[] expected, float[] actual) {
    double scale = 0;
    for (float e : expected) scale = Math.max(scale, Math.abs(e));
    for (int i = 0; i < expected.length; i++) {
      double err = Math.abs(expected[i] - actual[i]);
      int idx = i;
      assertTrue(err <= 1e-5 * scale + 1e-5 * Math.abs(expected[i]) * 10,
          () -> what + "[" + idx + "]: expected " + expected[idx] + ", got " + actual[idx]);
    }
  }
}
