package io.nrj.runtime.cpu;

import static io.nrj.runtime.cpu.GradCheck.check;
import static io.nrj.runtime.cpu.GradCheck.dot;
import static io.nrj.runtime.cpu.GradCheck.uniform;

import io.nrj.runtime.ConvGeom;
import io.nrj.runtime.PoolGeom;
import io.nrj.runtime.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Finite-difference checks of every backward kernel: for a loss L = sum(y * R) with a fixed random
 * R (so dL/dy = R), central differences of L computed in double must match the analytic gradient.
 */
class FiniteDifferenceTest {
  private static CpuBackend b;

  @BeforeAll
  static void open() {
    b = new CpuBackend(2, true);
  }

  @AfterAll
  static void close() {
    b.close();
  }

  private static Tensor t(float[] v, int... shape) {
    Tensor x = b.allocate(shape);
    b.upload(x, v);
    return x;
  }

  private static int numel(int... s) {
    int n = 1;
    for (int d : s) n *= d;
    return n;
  }

  @ParameterizedTest(name = "n{0} c{1} {2}x{3} k{4} r{5} s{6} stride{7} pad{8} vector={9}")
  @CsvSource({
    "2, 3, 7, 7, 4, 3, 3, 1, 1, true",
    "2, 3, 8, 9, 5, 3, 3, 2, 1, true",
    "2, 4, 5, 5, 3, 1, 1, 1, 0, true",
    "1, 2, 9, 9, 3, 5, 5, 1, 2, true",
    "2, 3, 9, 8, 2, 5, 5, 2, 0, true",
    "2, 2, 6, 6, 3, 2, 2, 2, 0, true",
    "2, 3, 7, 7, 4, 3, 1, 1, 1, true",
    "2, 3, 7, 7, 4, 3, 3, 1, 1, false",
    "1, 2, 9, 9, 3, 5, 5, 2, 2, false",
  })
  void convGradientsMatchFiniteDifferences(int n, int c, int h, int w, int k, int r, int s, int stride, int pad, boolean vector) {
    try (CpuBackend be = new CpuBackend(2, vector)) {
      ConvGeom g = new ConvGeom(n, c, h, w, k, r, s, stride, pad);
      Tensor x = be.allocate(n, c, h, w), wt = be.allocate(k, c, r, s), y = be.allocate(n, k, g.outH(), g.outW());
      be.upload(x, uniform(1, numel(n, c, h, w)));
      be.upload(wt, uniform(2, numel(k, c, r, s)));
      float[] rr = uniform(3, (int) y.numel());
      Tensor dy = be.allocate(y.shape()), dx = be.allocate(x.shape()), dw = be.allocate(wt.shape());
      be.upload(dy, rr);
      be.convBackwardData(dy, wt, dx, g);
      be.convBackwardFilter(x, dy, dw, g);
      GradCheck.Loss loss = () -> {
        be.convForward(x, wt, y, g);
        return GradCheck.dot(be, y, rr);
      };
      check("conv dx", x, be.download(dx), loss, 1e-2f, 1e-3, 1e-4, 60);
      check("conv dw", wt, be.download(dw), loss, 1e-2f, 1e-3, 1e-4, 60);
    }
  }

  @Test
  void batchNormTrainGradientsMatchFiniteDifferences() {
    int n = 3, c = 4, hw = 10;
    Tensor x = t(uniform(4, n * c * hw), n, c, hw), gamma = t(uniform(5, c), c), beta = t(uniform(6, c), c);
    Tensor rm = b.allocate(c), rv = b.allocate(c), y = b.allocate(n, c, hw), mean = b.allocate(c), inv = b.allocate(c);
    float[] rr = uniform(7, n * c * hw);
    b.batchNormForwardTrain(x, gamma, beta, rm, rv, y, mean, inv, n, c, hw, 1e-5, 0.1);
    Tensor dy = t(rr, n, c, hw), dx = b.allocate(n, c, hw), dg = b.allocate(c), dbt = b.allocate(c);
    b.batchNormBackward(x, dy, gamma, mean, inv, dx, dg, dbt, n, c, hw);
    GradCheck.Loss loss = () -> {
      b.batchNormForwardTrain(x, gamma, beta, rm, rv, y, mean, inv, n, c, hw, 1e-5, 0.1);
      return dot(b, y, rr);
    };
    check("bn dx", x, b.download(dx), loss, 1e-2f, 2e-2, 2e-3, 60);
    check("bn dgamma", gamma, b.download(dg), loss, 1e-2f, 2e-3, 2e-3, c);
    check("bn dbeta", beta, b.download(dbt), loss, 1e-2f, 2e-3, 2e-3, c);
  }

  @Test
  void reluGradientMatchesFiniteDifferences() {
    int n = 200;
    Tensor x = t(GradCheck.distinct(8, n, 0.05f), n), y = b.allocate(n), dx = b.allocate(n);
    float[] rr = uniform(9, n);
    b.reluForward(x, y);
    b.reluBackward(y, t(rr, n), dx);
    check("relu dx", x, b.download(dx), () -> {
      b.reluForward(x, y);
      return dot(b, y, rr);
    }, 1e-2f, 1e-3, 1e-4, n);
  }

  @ParameterizedTest(name = "{0} k{1} stride{2} pad{3}")
  @CsvSource({"max, 2, 2, 0", "max, 3, 2, 1", "max, 3, 1, 1", "avg, 2, 2, 0", "avg, 3, 2, 1", "avg, 3, 1, 1"})
  void poolGradientsMatchFiniteDifferences(String kind, int k, int stride, int pad) {
    PoolGeom g = new PoolGeom(2, 3, 7, 6, k, stride, pad);
    int nx = numel(2, 3, 7, 6);
    // distinct values 0.05 apart: a 0.01 step never changes which element is a window's maximum
    Tensor x = t(GradCheck.distinct(10, nx, 0.05f), 2, 3, 7, 6), y = b.allocate(2, 3, g.outH(), g.outW());
    float[] rr = uniform(11, (int) y.numel());
    Tensor dy = t(rr, y.shape()), dx = b.allocate(x.shape());
    boolean max = kind.equals("max");
    if (max) {
      b.maxPoolForward(x, y, g);
      b.maxPoolBackward(x, y, dy, dx, g);
    } else {
      b.avgPoolBackward(dy, dx, g);
    }
    check(kind + "pool dx", x, b.download(dx), () -> {
      if (max) b.maxPoolForward(x, y, g); else b.avgPoolForward(x, y, g);
      return dot(b, y, rr);
    }, 1e-2f, 1e-3, 1e-4, nx);
  }

  @Test
  void globalAvgPoolGradientMatchesFiniteDifferences() {
    int n = 2, c = 3, hw = 12;
    Tensor x = t(uniform(12, n * c * hw), n, c, hw), y = b.allocate(n, c), dx = b.allocate(n, c, hw);
    float[] rr = uniform(13, n * c);
    b.globalAvgPoolBackward(t(rr, n, c), dx, n, c, hw);
    check("gap dx", x, b.download(dx), () -> {
      b.globalAvgPoolForward(x, y, n, c, hw);
      return dot(b, y, rr);
    }, 1e-2f, 1e-3, 1e-5, n * c * hw);
  }

  @Test
  void addGradientIsUpstreamForBothInputs() {
    // add has no backward kernel: its gradient is dy for both inputs, which trainers pass on with axpy
    int n = 50;
    Tensor a = t(uniform(14, n), n), c = t(uniform(15, n), n), y = b.allocate(n);
    float[] rr = uniform(16, n);
    Tensor da = b.allocate(n);
    b.axpy(1f, t(rr, n), da);
    GradCheck.Loss loss = () -> {
      b.add(a, c, y);
      return dot(b, y, rr);
    };
    check("add da", a, b.download(da), loss, 1e-2f, 1e-3, 1e-5, n);
    check("add db", c, b.download(da), loss, 1e-2f, 1e-3, 1e-5, n);
  }

  @Test
  void copyChannelsGradientIsTheReverseAccumulatingCopy() {
    int n = 2, srcC = 5, dstC = 7, hw = 6, count = 3;
    Tensor src = t(uniform(17, n * srcC * hw), n, srcC, hw), dst = b.allocate(n, dstC, hw);
    float[] rr = uniform(18, n * dstC * hw);
    Tensor dsrc = b.allocate(n, srcC, hw);
    b.copyChannels(t(rr, n, dstC, hw), dstC, 4, dsrc, srcC, 1, count, n, hw, true);
    check("copyChannels dsrc", src, b.download(dsrc), () -> {
      b.copyChannels(src, srcC, 1, dst, dstC, 4, count, n, hw, false);
      return dot(b, dst, rr);
    }, 1e-2f, 1e-3, 1e-5, n * srcC * hw);
  }

  @ParameterizedTest(name = "n{0} c{1} k{2}")
  @CsvSource({"3, 7, 5", "17, 40, 33", "64, 100, 10"})
  void linearGradientsMatchFiniteDifferences(int n, int c, int k) {
    Tensor x = t(uniform(19, n * c), n, c), w = t(uniform(20, k * c), k, c), bias = t(uniform(21, k), k);
    Tensor y = b.allocate(n, k);
    float[] rr = uniform(22, n * k);
    Tensor dx = b.allocate(n, c), dw = b.allocate(k, c), db = b.allocate(k);
    b.linearBackward(x, w, t(rr, n, k), dx, dw, db, n, c, k);
    GradCheck.Loss loss = () -> {
      b.linearForward(x, w, bias, y, n, c, k);
      return dot(b, y, rr);
    };
    check("linear dx", x, b.download(dx), loss, 1e-2f, 1e-3, 1e-4, 40);
    check("linear dw", w, b.download(dw), loss, 1e-2f, 1e-3, 1e-4, 40);
    check("linear db", bias, b.download(db), loss, 1e-2f, 1e-3, 1e-4, k);
  }

  @Test
  void softmaxCrossEntropyGradientMatchesFiniteDifferences() {
    int n = 5, k = 7;
    int[] labels = {0, 6, 3, 3, 1};
    float[] lv = uniform(23, n * k);
    for (int i = 0; i < lv.length; i++) lv[i] *= 4;
    Tensor logits = t(lv, n, k), dl = b.allocate(n, k), scratch = b.allocate(n, k);
    b.softmaxCrossEntropy(logits, labels, dl, n, k);
    check("xent dlogits", logits, b.download(dl), () -> b.softmaxCrossEntropy(logits, labels, scratch, n, k),
        1e-2f, 2e-3, 1e-5, n * k);
  }

  @Test
  void gateGradientsMatchFiniteDifferences() {
    int n = 60;
    float[] av = uniform(24, n);
    for (int i = 0; i < n; i++) av[i] *= 3;
    Tensor a = t(av, n), c = t(uniform(25, n), n), y = b.allocate(n);
    float[] rr = uniform(26, n);
    Tensor da = b.allocate(n), dc = b.allocate(n);
    b.gateBackward(a, c, t(rr, n), da, dc);
    GradCheck.Loss loss = () -> {
      b.gateForward(a, c, y);
      return dot(b, y, rr);
    };
    check("gate da", a, b.download(da), loss, 1e-2f, 2e-3, 1e-4, n);
    check("gate dc", c, b.download(dc), loss, 1e-2f, 2e-3, 1e-4, n);
  }
}
