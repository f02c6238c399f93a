package io.nrj.runtime.data;

import java.util.List;

/**
 * An image set held in memory as one byte array of N fixed-size (C, H, W) images: MNIST and CIFAR.
 * 50,000 CIFAR images take 150 MB; nrj keeps them on the heap rather than re-reading files.
 */
public record ArrayImageSet(int channels, int height, int width, byte[] pixels, int[] labels, List<String> classes)
    implements ImageSet {
  public ArrayImageSet {
    classes = List.copyOf(classes);
    if ((long) labels.length * channels * height * width != pixels.length) {
      throw new IllegalArgumentException(labels.length + " labels but " + pixels.length + " pixel bytes");
    }
  }

  @Override
  public int size() {
    return labels.length;
  }

  @Override
  public int label(int i) {
    return labels[i];
  }

  @Override
  public RawImage image(int i) {
    return new RawImage(channels, height, width, pixels, i * channels * height * width);
  }

  /** The first n samples (for quick runs and tests). */
  public ArrayImageSet head(int n) {
    int m = Math.min(n, size());
    int per = channels * height * width;
    return new ArrayImageSet(
        channels, height, width, java.util.Arrays.copyOf(pixels, m * per), java.util.Arrays.copyOf(labels, m), classes);
  }
}
