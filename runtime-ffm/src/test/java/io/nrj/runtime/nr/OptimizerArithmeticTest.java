package io.nrj.runtime.nr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The NR-SGD update rule of spec §2.1, written out as a scalar step, pinned against spec §13.6. The
 * backend's optimiser implements the same formula on tensors; this fixes the arithmetic it must
 * reproduce (L1 sign term first, then weight decay, then momentum with buf = d on the first step).
 */
class OptimizerArithmeticTest {
  /** One NR-SGD step on a BN scale; returns {gamma, buf}. buf NaN means no buffer yet. */
  static double[] step(double gamma, double grad, double buf, double lr, double mu, double wd, double lambda, boolean fixed) {
    double g = grad + (fixed ? 0 : lambda * Math.signum(gamma));
    double d = g + wd * gamma;
    double b = Double.isNaN(buf) ? d : mu * buf + d;
    return new double[] {gamma - lr * b, b};
  }

  @Test
  void firstStepWithZeroGradientMovesGammaByLrTimesLambdaPlusDecay() { // spec §13.6
    double[] r = step(0.5, 0.0, Double.NaN, 0.1, 0.9, 1e-4, 1e-4, false);
    assertEquals(0.499985, r[0], 1e-15);
    assertEquals(1e-4 + 5e-5, r[1], 1e-18);
  }

  @Test
  void fixedLayersGetWeightDecayButNoL1() {
    assertEquals(0.5 - 0.1 * 5e-5, step(0.5, 0.0, Double.NaN, 0.1, 0.9, 1e-4, 1e-4, true)[0], 1e-15);
  }

  @Test
  void signOfZeroIsZeroAndMomentumAccumulatesTheL1Term() {
    assertEquals(0.0, step(0.0, 0.0, Double.NaN, 0.1, 0.9, 1e-4, 1e-4, false)[0]);
    double[] s1 = step(0.5, 0.0, Double.NaN, 0.1, 0.9, 1e-4, 1e-4, false);
    double[] s2 = step(s1[0], 0.0, s1[1], 0.1, 0.9, 1e-4, 1e-4, false);
    assertEquals(0.9 * 1.5e-4 + 1e-4 + 1e-4 * s1[0], s2[1], 1e-18);
    assertEquals(s1[0] - 0.1 * s2[1], s2[0], 1e-15);
  }
}
