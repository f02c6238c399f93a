package io.nrj.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Locale;

/** The tolerance check of the export tests. */
final class Close {
  private Close() {}

  /**
   * Asserts |actual - expected| <= rel * max|expected| element-wise (the error relative to the
   * logits' scale, so logits near zero do not make it meaningless); on failure prints the worst
   * elements. Returns the measured relative error.
   */
  static double assertClose(float[] actual, float[] expected, double rel, String label) {
    assertEquals(expected.length, actual.length, label + ": length");
    double scale = 0;
    for (float e : expected) scale = Math.max(scale, Math.abs(e));
    if (scale == 0) scale = 1;
    double worst = 0;
    int at = -1;
    for (int i = 0; i < expected.length; i++) {
      double d = Math.abs((double) actual[i] - expected[i]);
      if (!(d <= worst)) {
        worst = d;
        at = i;
      }
    }
    double r = worst / scale;
    if (!(r <= rel)) {
      fail(String.format(Locale.ROOT, "%s: max |diff| %.3g at %d (%g vs %g), %.3g of the logits' scale %.3g > %.1g",
          label, worst, at, actual[at], expected[at], r, scale, rel));
    }
    return r;
  }
}
