package io.nrj.dsl.ir;

/**
 * The Neural Rejuvenation knobs of a schedule (spec §2 to §7). Defaults follow the authors' code.
 *
 * @param sparsity fixed lambda (CIFAR) or the adaptive ramp (ImageNet, spec §2.3)
 * @param target rejuvenate once when utilization u <= target; >= 0.999 disables the trigger (§2.2)
 * @param measure utilization and expand rate in parameters or FLOPs (§4)
 * @param liveThreshold relative threshold on |gamma| / max|gamma| (0.01, strict '<' is dead, §3)
 * @param deadThreshold whole layer dead when max|gamma| < this (1e-3, §3)
 * @param expand expand rate rule (§5.1)
 * @param newGamma BN scale of new neurons (0.5, §5.2)
 * @param cross cross connections after rejuvenation (§6.2)
 * @param bnRestore neural rescaling target t; 0 turns it off (§7)
 * @param bnRestoreMode reproduce the authors' quirks, or the corrected variant (§12 B3)
 * @param compressOnly stop right after rejuvenation with a checkpoint (§2.3)
 */
public record NrSettings(
    Sparsity sparsity,
    double target,
    Measure measure,
    double liveThreshold,
    double deadThreshold,
    ExpandRule expand,
    double newGamma,
    CrossMode cross,
    double bnRestore,
    BnRestoreMode bnRestoreMode,
    boolean compressOnly) {

  public sealed interface Sparsity permits FixedSparsity, AdaptiveSparsity {}

  /** A constant lambda during the sparse phase. */
  public record FixedSparsity(double lambda) implements Sparsity {}

  /** lambda starts at start; after each sparse epoch, if u_old - u < threshold then lambda += step. */
  public record AdaptiveSparsity(double start, double step, double threshold) implements Sparsity {}

  public enum Measure {
    PARAMS,
    FLOPS
  }

  public enum ExpandRule {
    /** e = sqrt(all / live). */
    SQRT,
    /** e = floor(sqrt(all / live)): the CIFAR DenseNet rule (spec §12 C3). */
    FLOOR_SQRT
  }

  public enum CrossMode {
    /** Cross weights are zero and left out (CIFAR). */
    REMOVED,
    /** Cross weights trained, gated by 2*sigmoid of the receiver's pre-BN response (ImageNet). */
    ATTENTION
  }

  public enum BnRestoreMode {
    /** As the authors' code does (spec §7 quirks, §12 B3). */
    QUIRK,
    /** Classifier uses f/t; layers fed by the input or a fixed layer get no 1/t. */
    CORRECTED
  }
}
