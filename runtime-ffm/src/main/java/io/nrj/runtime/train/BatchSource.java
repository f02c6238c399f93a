package io.nrj.runtime.train;

import io.nrj.dsl.ir.Shape;
import java.util.Iterator;

/**
 * A labelled split of a data set as the training loop consumes it: batches of normalised images
 * (n, C, H, W) row-major and their labels. Training passes are shuffled and augmented from the seed
 * only, so a pass is a pure function of (data, batch size, seed, epoch), which resume relies on.
 */
public interface BatchSource {
  /** Number of samples. */
  int size();

  /** One sample's (C, H, W). */
  Shape sampleShape();

  /**
   * The batches of one pass, the last one possibly smaller (drop_last false).
   *
   * @param train shuffle and augment (else in order, no augmentation)
   * @param seed the run's seed (ignored when not training)
   * @param epoch the 0-based epoch: with the seed it determines order and augmentation
   */
  Iterator<Batch> batches(int batchSize, boolean train, long seed, int epoch);

  /** One batch: images (labels.length * C*H*W floats) and labels. */
  record Batch(float[] images, int[] labels) {
    public int size() {
      return labels.length;
    }
  }
}
