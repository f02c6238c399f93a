package io.nrj.dsl.ir;

import io.nrj.dsl.SourceLocation;
import java.util.List;

/**
 * A resolved training schedule (spec §2, §9). {@code nr} is null for plain training.
 *
 * @param epochs total epochs before any NR shift (§2.2)
 * @param batch training batch size
 * @param testBatch evaluation batch size (100 in the authors' scripts)
 * @param lrSteps 0-based epochs at whose start the LR is multiplied by gamma (shifted while sparse)
 * @param dataset the data set the schedule is meant for ("mnist", "cifar10", "cifar100",
 *     "imagenet"), or null when unspecified
 */
public record ScheduleIr(
    String name,
    int epochs,
    int batch,
    int testBatch,
    Sgd sgd,
    List<Integer> lrSteps,
    double gamma,
    Augment augment,
    Normalize normalize,
    String dataset,
    Precision precision,
    NrSettings nr,
    SourceLocation location) {
  public ScheduleIr {
    lrSteps = List.copyOf(lrSteps);
  }

  /** SGD with momentum (dampening 0, no Nesterov) and L2 weight decay on every parameter (§2.1). */
  public record Sgd(double lr, double momentum, double weightDecay) {}

  /**
   * Training augmentation (§9). {@code crop} 0 means no random crop; {@code resizedCrop} is the
   * ImageNet random-sized crop to that size (area 0.08-1, aspect 3/4-4/3); {@code resize} the
   * evaluation resize of the shorter side before a centre crop of resizedCrop (0 = none).
   */
  public record Augment(int crop, int pad, boolean flip, int resizedCrop, int resize) {
    public static final Augment NONE = new Augment(0, 0, false, 0, 0);
  }

  /** Per-channel normalisation after scaling pixels to [0, 1]; empty lists mean none. */
  public record Normalize(List<Double> mean, List<Double> std) {
    public static final Normalize NONE = new Normalize(List.of(), List.of());

    public Normalize {
      mean = List.copyOf(mean);
      std = List.copyOf(std);
    }
  }

  public enum Precision {
    FP32,
    TF32
  }
}
