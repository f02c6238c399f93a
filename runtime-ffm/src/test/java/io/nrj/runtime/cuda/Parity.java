package io.nrj.runtime.cuda;

import static org.junit.jupiter.api.Assertions.fail;

import io.nrj.runtime.Backend;
import io.nrj.runtime.Tensor;
import java.util.Random;

/**
 * The same tensor on the CPU (the reference) and on the GPU, and the comparison the parity tests
 * use: |gpu - cpu| <= rtol * (|cpu| + rms(cpu)) element-wise, which is a relative tolerance that
 * does not explode where a sum cancels to near zero.
 */
final class Parity {
  private Parity() {}

  /** A tensor on both backends holding the same values. */
  record Twin(Tensor cpu, Tensor gpu) implements AutoCloseable {
    @Override
    public void close() {
      cpu.close();
      gpu.close();
    }
  }

  static Twin twin(Backend cpu, Backend gpu, float[] values, int... shape) {
    Twin t = new Twin(cpu.allocate(shape), gpu.allocate(shape));
    cpu.upload(t.cpu(), values);
    gpu.upload(t.gpu(), values);
    return t;
  }

  static Twin random(Backend cpu, Backend gpu, Random r, int... shape) {
    return twin(cpu, gpu, gauss(r, numel(shape)), shape);
  }

  static float[] gauss(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
    return v;
  }

  static int numel(int... shape) {
    int n = 1;
    for (int d : shape) n *= d;
    return n;
  }

  /** Downloads both sides and compares them. */
  static void assertSame(Backend cpu, Backend gpu, Twin t, double rtol, String label) {
    assertClose(gpu.download(t.gpu()), cpu.download(t.cpu()), rtol, label);
  }

  /** On failure prints the first mismatches and the largest difference. */
  static void assertClose(float[] actual, float[] expected, double rtol, String label) {
    if (actual.length != expected.length) {
      fail(label + ": " + actual.length + " values, expected " + expected.length);
    }
    double sq = 0;
    for (float e : expected) sq += (double) e * e;
    double rms = Math.sqrt(sq / Math.max(1, expected.length));
    var report = new StringBuilder();
    int bad = 0;
    double maxDiff = 0;
    for (int i = 0; i < actual.length; i++) {
      double diff = Math.abs((double) actual[i] - expected[i]);
      maxDiff = Math.max(maxDiff, Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff);
      if (!(diff <= rtol * (Math.abs(expected[i]) + rms))) {
        if (bad++ < 5) {
          report.append(String.format("%n  [%d] gpu %.8g cpu %.8g", i, actual[i], expected[i]));
        }
      }
    }
    if (bad > 0) {
      fail(String.format("%s: %d of %d values differ beyond rtol %.1e (max |diff| %.3g, rms %.3g):%s",
          label, bad, actual.length, rtol, maxDiff, rms, report));
    }
  }
}
