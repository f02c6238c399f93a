package io.nrj.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.runtime.ConvGeom;
import io.nrj.runtime.PoolGeom;
import io.nrj.runtime.Tensor;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Layer parity with PyTorch: {@code fixtures/layers.safetensors} (float64 references computed by
 * PyTorch 2.11 from float32 inputs; see the README in ../shared/reference/torch-fixtures). Every
 * tensor must match within 1e-4 relative, with a 1e-6 absolute floor. Each test runs on the Vector
 * API path and on the scalar fallback.
 */
class TorchParityTest {
  private static Map<String, Fixtures.T> fx;
  private static CpuBackend vec, scalar;

  @BeforeAll
  static void load() throws Exception {
    fx = Fixtures.load("/fixtures/layers.safetensors");
    vec = new CpuBackend(2, true);
    scalar = new CpuBackend(2, false);
  }

  @AfterAll
  static void close() {
    vec.close();
    scalar.close();
  }

  private static CpuBackend be(boolean vector) {
    return vector ? vec : scalar;
  }

  private static Tensor up(CpuBackend b, String name) {
    Fixtures.T t = fx.get(name);
    Tensor d = b.allocate(t.shape());
    b.upload(d, t.f());
    return d;
  }

  static void assertClose(String name, double[] expected, float[] actual) {
    assertEquals(expected.length, actual.length, name + ": element count");
    for (int i = 0; i < expected.length; i++) {
      double tol = Math.max(1e-4 * Math.abs(expected[i]), 1e-6);
      double err = Math.abs(actual[i] - expected[i]);
      int idx = i;
      assertTrue(err <= tol, () -> name + "[" + idx + "]: expected " + expected[idx] + ", got " + actual[idx] + " (error " + err + ")");
    }
  }

  private static void check(CpuBackend b, String name, Tensor t) {
    assertClose(name, fx.get(name).data(), b.download(t));
  }

  @ParameterizedTest(name = "{0}, vector={1}")
  @org.junit.jupiter.params.provider.CsvSource({
    "conv3x3s1p1, true", "conv3x3s1p1, false", "conv3x3s2p1, true", "conv3x3s2p1, false",
    "conv1x1bias, true", "conv1x1bias, false"
  })
  void convMatchesTorch(String p, boolean vector) {
    CpuBackend b = be(vector);
    int[] xs = fx.get(p + ".x").shape(), ws = fx.get(p + ".w").shape();
    int stride = (int) fx.get(p + ".stride").data()[0], pad = (int) fx.get(p + ".pad").data()[0];
    ConvGeom g = new ConvGeom(xs[0], xs[1], xs[2], xs[3], ws[0], ws[2], ws[3], stride, pad);
    Tensor x = up(b, p + ".x"), w = up(b, p + ".w"), dy = up(b, p + ".dy");
    Tensor y = b.allocate(fx.get(p + ".y").shape()), dx = b.allocate(xs), dw = b.allocate(ws);
    b.convForward(x, w, y, g);
    b.convBackwardData(dy, w, dx, g);
    b.convBackwardFilter(x, dy, dw, g);
    check(b, p + ".dx", dx);
    check(b, p + ".dw", dw);
    int hw = g.outH() * g.outW();
    if (fx.containsKey(p + ".b")) {
      // The backend has no conv bias (the classifier runs as global pool then linear with bias), so
      // y is compared after adding b on the host, and db = sum over (n, hw) of dy is formed from the
      // backend's global average pool (per (n, k) mean) times hw, summed over n.
      float[] yv = b.download(y), bias = fx.get(p + ".b").f();
      for (int i = 0; i < yv.length; i++) yv[i] += bias[(i / hw) % g.k()];
      assertClose(p + ".y", fx.get(p + ".y").data(), yv);
      Tensor means = b.allocate(g.n(), g.k());
      b.globalAvgPoolForward(dy, means, g.n(), g.k(), hw);
      float[] mv = b.download(means), db = new float[g.k()];
      for (int i = 0; i < mv.length; i++) db[i % g.k()] += mv[i] * hw;
      assertClose(p + ".db", fx.get(p + ".db").data(), db);
    } else {
      check(b, p + ".y", y);
    }
  }

  @ParameterizedTest(name = "vector={0}")
  @ValueSource(booleans = {true, false})
  void batchNormTrainAndEvalMatchTorch(boolean vector) {
    CpuBackend b = be(vector);
    int[] s = fx.get("bn_train.x").shape();
    int n = s[0], c = s[1], hw = s[2] * s[3];
    Tensor x = up(b, "bn_train.x"), gamma = up(b, "bn_train.gamma"), beta = up(b, "bn_train.beta");
    Tensor dy = up(b, "bn_train.dy");
    Tensor rm = b.allocate(c), rv = b.allocate(c), y = b.allocate(s), mean = b.allocate(c), inv = b.allocate(c);
    b.fill(rv, 1f);
    b.batchNormForwardTrain(x, gamma, beta, rm, rv, y, mean, inv, n, c, hw, 1e-5, 0.1);
    check(b, "bn_train.y", y);
    check(b, "bn_train.running_mean", rm);
    check(b, "bn_train.running_var", rv);
    Tensor dx = b.allocate(s), dg = b.allocate(c), dbeta = b.allocate(c);
    b.batchNormBackward(x, dy, gamma, mean, inv, dx, dg, dbeta, n, c, hw);
    check(b, "bn_train.dx", dx);
    check(b, "bn_train.dgamma", dg);
    check(b, "bn_train.dbeta", dbeta);
    Tensor ye = b.allocate(s);
    b.batchNormForwardEval(x, gamma, beta, rm, rv, ye, n, c, hw, 1e-5);
    check(b, "bn_eval.y", ye);
  }

  @ParameterizedTest(name = "vector={0}")
  @ValueSource(booleans = {true, false})
  void poolingMatchesTorch(boolean vector) {
    CpuBackend b = be(vector);
    for (String p : new String[] {"maxpool2", "avgpool2"}) {
      int[] s = fx.get(p + ".x").shape();
      PoolGeom g = new PoolGeom(s[0], s[1], s[2], s[3], 2, 2, 0);
      Tensor x = up(b, p + ".x"), dy = up(b, p + ".dy");
      Tensor y = b.allocate(fx.get(p + ".y").shape()), dx = b.allocate(s);
      if (p.startsWith("max")) {
        b.maxPoolForward(x, y, g);
        b.maxPoolBackward(x, y, dy, dx, g);
      } else {
        b.avgPoolForward(x, y, g);
        b.avgPoolBackward(dy, dx, g);
      }
      check(b, p + ".y", y);
      check(b, p + ".dx", dx);
    }
    int[] s = fx.get("gap.x").shape();
    Tensor x = up(b, "gap.x"), dy = up(b, "gap.dy"), y = b.allocate(s[0], s[1]), dx = b.allocate(s);
    b.globalAvgPoolForward(x, y, s[0], s[1], s[2] * s[3]);
    b.globalAvgPoolBackward(dy, dx, s[0], s[1], s[2] * s[3]);
    check(b, "gap.y", y);
    check(b, "gap.dx", dx);
  }

  @ParameterizedTest(name = "vector={0}")
  @ValueSource(booleans = {true, false})
  void reluMatchesTorch(boolean vector) {
    CpuBackend b = be(vector);
    int[] s = fx.get("relu.x").shape();
    Tensor x = up(b, "relu.x"), dy = up(b, "relu.dy"), y = b.allocate(s), dx = b.allocate(s);
    b.reluForward(x, y);
    b.reluBackward(y, dy, dx);
    check(b, "relu.y", y);
    check(b, "relu.dx", dx);
  }

  @ParameterizedTest(name = "vector={0}")
  @ValueSource(booleans = {true, false})
  void crossEntropyMatchesTorch(boolean vector) {
    CpuBackend b = be(vector);
    int[] s = fx.get("xent.logits").shape();
    double[] lab = fx.get("xent.labels").data();
    int[] labels = new int[lab.length];
    for (int i = 0; i < lab.length; i++) labels[i] = (int) lab[i];
    Tensor logits = up(b, "xent.logits"), dl = b.allocate(s);
    double loss = b.softmaxCrossEntropy(logits, labels, dl, s[0], s[1]);
    assertClose("xent.loss", fx.get("xent.loss").data(), new float[] {(float) loss});
    check(b, "xent.dlogits", dl);
  }

  @ParameterizedTest(name = "vector={0}")
  @ValueSource(booleans = {true, false})
  void sgdWithL1MatchesTorchOverTwoSteps(boolean vector) {
    CpuBackend b = be(vector);
    Tensor p = up(b, "sgd.p0"), buf = b.allocate(fx.get("sgd.p0").shape());
    for (int step = 1; step <= 2; step++) {
      Tensor g = up(b, "sgd.g" + step);
      b.l1Subgradient(p, g, 1.5e-4f);
      b.sgdStep(p, g, buf, 0.1f, 0.9f, 1e-4f, step == 1);
      check(b, "sgd.p" + step, p);
      check(b, "sgd.buf" + step, buf);
    }
  }
}
