package io.nrj.runtime.data;

import java.util.List;

/**
 * One split of a labelled image data set (train or test). Implementations are safe for concurrent
 * {@link #image} calls, which the batch loader makes from several threads.
 */
public interface ImageSet {
  /** Number of samples. */
  int size();

  /** Channels of every image (1 for MNIST, 3 for colour). */
  int channels();

  /** Height of every image, or 0 when images differ in size (image folders). */
  int height();

  /** Width of every image, or 0 when images differ in size. */
  int width();

  /** Class names, indexed by label. */
  List<String> classes();

  /** Label of sample i, in [0, classes().size()). */
  int label(int i);

  /** Sample i, decoded. May do I/O (image folders) and then throws {@link DataException}. */
  RawImage image(int i);
}
