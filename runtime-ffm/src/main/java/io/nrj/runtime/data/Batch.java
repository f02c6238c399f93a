package io.nrj.runtime.data;

import io.nrj.dsl.ir.Shape;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One batch: {@code images} is (size, C, H, W) float32 row-major, {@code labels} is (size). The last
 * batch of an epoch may be smaller than the loader's batch size.
 *
 * @param index 0-based position of the batch in its epoch
 * @param sampleIds the data-set index of each sample (for tests and debugging)
 */
public record Batch(int index, int size, Shape shape, float[] images, int[] labels, int[] sampleIds) {
  /** Copies the images into {@code dst} (at least size*C*H*W floats), e.g. a pinned or device-staging segment. */
  public void copyImagesTo(MemorySegment dst) {
    MemorySegment.copy(images, 0, dst, ValueLayout.JAVA_FLOAT, 0, images.length);
  }
}
