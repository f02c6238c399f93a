package io.nrj.cli.compare;

/**
 * The runs {@code nrj compare} makes of one spec, each with K seeds. The NR arm runs the schedule as
 * written; every baseline is the same recipe without its {@code rejuvenate} block (λ = 0, no
 * trigger, no epoch shift; spec §12 C1).
 */
public enum Arm {
  /** The schedule with Neural Rejuvenation. */
  NR("nr", "NR"),
  /** The schedule's own epochs, as the paper's rule gives the baseline. */
  BASELINE("baseline", "baseline"),
  /**
   * As many epochs as the NR run of the same seed took in all (its sparse epochs plus the
   * schedule), with the LR steps moved by as many epochs, so its learning rate follows the NR run's.
   */
  BASELINE_LONG("baseline-long", "baseline (NR's epochs)"),
  /**
   * The schedule's own epochs with every conv width scaled by one factor, so that its parameter
   * count is as close as possible to, and not above, the weights the NR network of the same seed
   * uses after rejuvenation.
   */
  EQUAL_USED("equal-used", "baseline (NR's used params)");

  private final String dir;
  private final String label;

  Arm(String dir, String label) {
    this.dir = dir;
    this.label = label;
  }

  /** The run directory of one seed, e.g. {@code nr-seed1}. */
  public String dir(long seed) {
    return dir + "-seed" + seed;
  }

  /** The name used in tables and the plot's legend. */
  public String label() {
    return label;
  }
}
