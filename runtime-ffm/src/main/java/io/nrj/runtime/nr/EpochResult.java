package io.nrj.runtime.nr;

/**
 * What the NR engine decided at the end of an epoch.
 *
 * @param utilization u measured at this epoch's end, or NaN when the engine did not inspect (plain
 *     training, or after rejuvenation)
 * @param lambda the L1 coefficient for the next epoch
 * @param rejuvenation the rejuvenated network, or null when rejuvenation did not fire now; when set,
 *     the loop re-plans for the new widths, loads the new tensors and starts a fresh optimiser
 */
public record EpochResult(double utilization, double lambda, Rejuvenation rejuvenation) {}
