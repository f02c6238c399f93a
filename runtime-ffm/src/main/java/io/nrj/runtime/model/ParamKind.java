package io.nrj.runtime.model;

/** What a named tensor of a network is, which decides how the optimiser and the NR engine treat it. */
public enum ParamKind {
  /** A conv weight (O, I, k, k), trained. */
  CONV_WEIGHT,
  /** A BN scale gamma (C), trained; the L1 sub-gradient of spec §2.1 applies to it. */
  BN_SCALE,
  /** A BN shift beta (C), trained. */
  BN_SHIFT,
  /** The classifier weight (K, C, 1, 1), trained. */
  CLASSIFIER_WEIGHT,
  /** The classifier bias (K), trained. */
  CLASSIFIER_BIAS,
  /** BN running mean or variance (C): state, not trained. */
  BN_RUNNING;

  public boolean trainable() {
    return this != BN_RUNNING;
  }
}
