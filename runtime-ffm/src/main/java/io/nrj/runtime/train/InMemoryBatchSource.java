package io.nrj.runtime.train;

import io.nrj.dsl.ir.Shape;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Random;

/**
 * A {@link BatchSource} over images already normalised in memory, without augmentation: training
 * passes visit a Fisher-Yates permutation drawn from the pass's seed.
 */
public final class InMemoryBatchSource implements BatchSource {
  private final float[] images;
  private final int[] labels;
  private final Shape shape;
  private final int sampleSize;

  /** @param images (labels.length, C, H, W) row-major */
  public InMemoryBatchSource(float[] images, int[] labels, Shape shape) {
    this.sampleSize = Math.toIntExact(shape.size());
    if ((long) labels.length * sampleSize != images.length) {
      throw new IllegalArgumentException(
          images.length + " image values do not hold " + labels.length + " samples of " + shape);
    }
    this.images = images;
    this.labels = labels;
    this.shape = shape;
  }

  @Override
  public int size() {
    return labels.length;
  }

  @Override
  public Shape sampleShape() {
    return shape;
  }

  @Override
  public Iterator<Batch> batches(int batchSize, boolean train, long seed, int epoch) {
    int[] order = new int[labels.length];
    for (int i = 0; i < order.length; i++) order[i] = i;
    if (train) {
      Random r = new Random(TrainingLoop.epochSeed(seed, epoch, 0));
      for (int i = order.length - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    return new Iterator<>() {
      int next = 0;

      @Override
      public boolean hasNext() {
        return next < order.length;
      }

      @Override
      public Batch next() {
        if (!hasNext()) throw new NoSuchElementException();
        int n = Math.min(batchSize, order.length - next);
        float[] x = new float[n * sampleSize];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
          int s = order[next + i];
          System.arraycopy(images, s * sampleSize, x, i * sampleSize, sampleSize);
          y[i] = labels[s];
        }
        next += n;
        return new Batch(x, y);
      }
    };
  }
}
