package io.nrj.runtime.data;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * A resolved data set: its kind, where it is, and its train and test splits. The splits are read
 * on first use (so {@code nrj eval} never reads the training files) and then kept.
 */
public final class DataSet {
  /** The formats nrj reads. */
  public enum Kind {
    MNIST,
    CIFAR10,
    CIFAR100,
    IMAGE_FOLDER
  }

  private final Kind kind;
  private final Path location;
  private final Supplier<ImageSet> train;
  private final Supplier<ImageSet> test;
  private ImageSet trainSet;
  private ImageSet testSet;

  DataSet(Kind kind, Path location, Supplier<ImageSet> train, Supplier<ImageSet> test) {
    this.kind = kind;
    this.location = location;
    this.train = train;
    this.test = test;
  }

  /** A data set over already loaded splits. */
  public static DataSet of(Kind kind, Path location, ImageSet train, ImageSet test) {
    return new DataSet(kind, location, () -> train, () -> test);
  }

  public Kind kind() {
    return kind;
  }

  /** The directory or file it was opened from ({@code mnist} for the built-in digits). */
  public Path location() {
    return location;
  }

  /** The training split, read on first call. */
  public synchronized ImageSet train() {
    if (trainSet == null) trainSet = train.get();
    return trainSet;
  }

  /** The test (validation) split, read on first call. */
  public synchronized ImageSet test() {
    if (testSet == null) testSet = test.get();
    return testSet;
  }

  /** The schedule's data set name this kind corresponds to ("mnist", "cifar10", "cifar100", "imagenet"). */
  public String scheduleName() {
    return switch (kind) {
      case MNIST -> "mnist";
      case CIFAR10 -> "cifar10";
      case CIFAR100 -> "cifar100";
      case IMAGE_FOLDER -> "imagenet";
    };
  }

  @Override
  public String toString() {
    return kind + " at " + location;
  }
}
