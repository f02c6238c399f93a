package io.nrj.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.runtime.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * Finite-difference gradient checking for the CPU backend: central differences of a scalar loss
 * that the caller computes in double from the float32 forward outputs, compared with the analytic
 * gradient on a random sample of elements.
 */
final class GradCheck {
  private GradCheck() {}

  /** Runs the forward pass on the current tensor contents and returns the loss in double. */
  @FunctionalInterface
  interface Loss {
    double eval();
  }

  /** Uniform values in [-1, 1) (seeded). */
  static float[] uniform(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
    return v;
  }

  /** Values whose magnitudes are at least {@code gap} apart from each other and from zero, shuffled. */
  static float[] distinct(long seed, int n, float gap) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (i - n / 2 + 0.5f) * gap;
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      float t = v[i];
      v[i] = v[j];
      v[j] = t;
    }
    return v;
  }

  /** sum_i y[i] * weights[i] in double: a loss whose gradient with respect to y is weights. */
  static double dot(CpuBackend b, Tensor y, float[] weights) {
    float[] v = b.download(y);
    double s = 0;
    for (int i = 0; i < v.length; i++) s += (double) v[i] * weights[i];
    return s;
  }

  /**
   * Checks {@code analytic} (the gradient of loss with respect to {@code param}) on up to {@code
   * samples} random elements: |numeric - analytic| <= rtol * max(|numeric|, |analytic|) + atol.
   */
  static void check(String what, Tensor param, float[] analytic, Loss loss, float eps, double rtol, double atol, int samples) {
    MemorySegment s = ((CpuTensor) param).segment();
    long n = param.numel();
    SplittableRandom r = new SplittableRandom(n * 31 + what.hashCode());
    int count = (int) Math.min(samples, n);
    for (int k = 0; k < count; k++) {
      long i = count == n ? k : r.nextLong(n);
      float orig = s.getAtIndex(ValueLayout.JAVA_FLOAT, i);
      s.setAtIndex(ValueLayout.JAVA_FLOAT, i, orig + eps);
      double up = loss.eval();
      s.setAtIndex(ValueLayout.JAVA_FLOAT, i, orig - eps);
      double down = loss.eval();
      s.setAtIndex(ValueLayout.JAVA_FLOAT, i, orig);
      // divide by the perturbation actually applied after float rounding
      double h = (double) (orig + eps) - (double) (orig - eps);
      double numeric = (up - down) / h;
      double a = analytic[(int) i];
      double err = Math.abs(numeric - a);
      double tol = rtol * Math.max(Math.abs(numeric), Math.abs(a)) + atol;
      long idx = i;
      assertTrue(err <= tol, () -> what + "[" + idx + "]: analytic " + a + ", numeric " + numeric + " (error " + err + " > " + tol + ")");
    }
  }
}
