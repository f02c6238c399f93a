package io.nrj.runtime.cpu;

import static io.nrj.runtime.cpu.GradCheck.check;
import static io.nrj.runtime.cpu.GradCheck.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.nrj.runtime.ConvGeom;
import io.nrj.runtime.PoolGeom;
import io.nrj.runtime.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A small whole network, conv3x3 - BN - ReLU - maxpool - linear - softmax CE, differentiated by
 * hand through the backend and checked against finite differences of the loss; and the
 * accumulate-into-gradients contract of every backward kernel.
 */
class ChainGradientTest {
  static final int N = 3, C = 2, H = 8, K = 4, CLASSES = 5;
  static final ConvGeom CONV = new ConvGeom(N, C, H, H, K, 3, 3, 1, 1);
  static final PoolGeom POOL = new PoolGeom(N, K, H, H, 2, 2, 0);
  static final int FEAT = K * (H / 2) * (H / 2);
  static final int[] LABELS = {1, 4, 0};

  final CpuBackend b = new CpuBackend(2, true);
  final Tensor x = up(uniform(31, N * C * H * H), N, C, H, H), w = up(uniform(32, K * C * 9), K, C, 3, 3);
  final Tensor gamma = up(new float[] {1.2f, 0.8f, 1f, 1.5f}, K), beta = up(new float[] {0.1f, -0.2f, 0.3f, 0f}, K);
  final Tensor lw = up(uniform(33, CLASSES * FEAT), CLASSES, FEAT), lb = up(uniform(34, CLASSES), CLASSES);
  final Tensor conv = b.allocate(N, K, H, H), bn = b.allocate(N, K, H, H), pool = b.allocate(N, K, H / 2, H / 2);
  final Tensor rm = b.allocate(K), rv = b.allocate(K), mean = b.allocate(K), inv = b.allocate(K);
  final Tensor logits = b.allocate(N, CLASSES), dlogits = b.allocate(N, CLASSES);

  private Tensor up(float[] v, int... shape) {
    Tensor t = b.allocate(shape);
    b.upload(t, v);
    return t;
  }

  double forward() {
    b.convForward(x, w, conv, CONV);
    b.batchNormForwardTrain(conv, gamma, beta, rm, rv, bn, mean, inv, N, K, H * H, 1e-5, 0.1);
    b.reluForward(bn, bn);
    b.maxPoolForward(bn, pool, POOL);
    b.linearForward(pool, lw, lb, logits, N, FEAT, CLASSES);
    return b.softmaxCrossEntropy(logits, LABELS, dlogits, N, CLASSES);
  }

  /** Gradients of x, w, gamma, beta, lw, lb after one forward and backward (backward `times` times). */
  Tensor[] backward(int times) {
    forward();
    Tensor dx = b.allocate(x.shape()), dw = b.allocate(w.shape()), dg = b.allocate(K), dbt = b.allocate(K);
    Tensor dlw = b.allocate(lw.shape()), dlb = b.allocate(K + 1), dpool = b.allocate(pool.shape());
    Tensor dlbv = dlb.view(0, CLASSES);
    Tensor dbn = b.allocate(bn.shape()), dconv = b.allocate(conv.shape());
    for (int i = 0; i < times; i++) {
      b.fill(dpool, 0);
      b.fill(dbn, 0);
      b.fill(dconv, 0);
      b.linearBackward(pool, lw, dlogits, dpool, dlw, dlbv, N, FEAT, CLASSES);
      b.maxPoolBackward(bn, pool, dpool, dbn, POOL);
      Tensor masked = b.allocate(bn.shape());
      b.reluBackward(bn, dbn, masked);
      b.batchNormBackward(conv, masked, gamma, mean, inv, dconv, dg, dbt, N, K, H * H);
      b.convBackwardData(dconv, w, dx, CONV);
      b.convBackwardFilter(x, dconv, dw, CONV);
    }
    return new Tensor[] {dx, dw, dg, dbt, dlw, dlbv};
  }

  @Test
  void wholeChainGradientsMatchFiniteDifferences() {
    Tensor[] g = backward(1);
    Tensor[] params = {x, w, gamma, beta, lw, lb};
    String[] names = {"x", "conv w", "gamma", "beta", "linear w", "linear b"};
    // The forward runs in float32: a step of 3e-3 keeps rounding noise in the loss (~1e-7) small
    // against the difference, while ReLU and max-pool kinks are rarely crossed (1e-2 crosses some).
    for (int i = 0; i < params.length; i++) {
      check("chain d" + names[i], params[i], b.download(g[i]), this::forward, 3e-3f, 3e-2, 3e-4, 30);
    }
  }

  @Test
  void backwardKernelsAccumulateIntoGradients() {
    Tensor[] once = backward(1), twice = backward(2);
    for (int i = 0; i < once.length; i++) {
      float[] a = b.download(once[i]), d = b.download(twice[i]);
      for (int j = 0; j < a.length; j++) a[j] *= 2;
      assertArrayEquals(a, d, 1e-6f, "gradient " + i + " after two backward calls");
    }
  }

  @Test
  void poolRelUAndGateBackwardAccumulate() {
    int n = 40;
    Tensor a = up(uniform(40, n), n), c = up(uniform(41, n), n), dy = up(uniform(42, n), n);
    Tensor da = b.allocate(n), dc = b.allocate(n);
    b.gateBackward(a, c, dy, da, dc);
    float[] da1 = b.download(da), dc1 = b.download(dc);
    b.gateBackward(a, c, dy, da, dc);
    float[] da2 = b.download(da), dc2 = b.download(dc);
    for (int j = 0; j < n; j++) {
      da1[j] *= 2;
      dc1[j] *= 2;
    }
    assertArrayEquals(da1, da2, 1e-6f);
    assertArrayEquals(dc1, dc2, 1e-6f);
    PoolGeom g = new PoolGeom(1, 2, 4, 4, 2, 2, 0);
    Tensor gy = up(uniform(43, 8), 1, 2, 2, 2), gx = b.allocate(1, 2, 4, 4), gap = b.allocate(1, 2, 4, 4);
    b.avgPoolBackward(gy, gx, g);
    b.avgPoolBackward(gy, gx, g);
    b.globalAvgPoolBackward(gy.view(0, 2), gap, 1, 2, 16);
    b.globalAvgPoolBackward(gy.view(0, 2), gap, 1, 2, 16);
    float[] gv = b.download(gy), gxv = b.download(gx), gapv = b.download(gap);
    for (int j = 0; j < 32; j++) {
      int ch = j / 16, oy = (j % 16) / 4 / 2, ox = (j % 4) / 2;
      assertArrayEquals(new float[] {2 * gv[ch * 4 + oy * 2 + ox] / 4}, new float[] {gxv[j]}, 1e-6f);
      assertArrayEquals(new float[] {2 * gv[ch] / 16}, new float[] {gapv[j]}, 1e-6f);
    }
  }
}
