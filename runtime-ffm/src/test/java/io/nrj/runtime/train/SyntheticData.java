package io.nrj.runtime.train;

import io.nrj.dsl.ir.Shape;
import java.util.Random;

/**
 * A learnable, translation-invariant toy task on 1x8x8 images (the classifier pools globally):
 * class 0 has bright even rows, class 1 bright even columns, class 2 a checkerboard, under Gaussian
 * noise.
 */
final class SyntheticData {
  private SyntheticData() {}

  static InMemoryBatchSource make(int n, long seed) {
    Random r = new Random(seed);
    float[] x = new float[n * 64];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextInt(3);
      for (int p = 0; p < 64; p++) {
        int row = p / 8;
        int col = p % 8;
        boolean on = switch (y[i]) {
          case 0 -> row % 2 == 0;
          case 1 -> col % 2 == 0;
          default -> (row + col) % 2 == 0;
        };
        x[i * 64 + p] = (float) (0.7 * r.nextGaussian() + (on ? 1.0 : 0.0));
      }
    }
    return new InMemoryBatchSource(x, y, new Shape(1, 8, 8));
  }
}
