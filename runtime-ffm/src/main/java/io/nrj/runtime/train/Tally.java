package io.nrj.runtime.train;

/**
 * Running loss and top-k counts over the batches of one pass. Top-k of a sample: its label's logit
 * ranks among the k largest, counting a tie as a miss only against an earlier class (argmax picks
 * the first maximum). After rejuvenation the main counts use the summed logits and the survivor and
 * new sets are counted separately (spec §6.4).
 */
public final class Tally {
  private long samples;
  private double lossSum;
  private double survivorLossSum;
  private double newLossSum;
  private long top1;
  private long top5;
  private long survivorTop1;
  private long newTop1;
  private boolean mixed;

  /** Adds one batch: mean loss over it, logits (n, k) and optional per-set logits (null if not mixed). */
  public void add(double meanLoss, float[] logits, float[] survivor, float[] fresh, int[] labels, int k) {
    add(meanLoss, Double.NaN, logits, survivor, fresh, labels, k);
  }

  /**
   * {@link #add(double, float[], float[], float[], int[], int)} with the survivor set's share of the
   * mean loss when mixed (the loss is then the sum of the two sets' cross-entropies, spec §6.4).
   */
  public void add(double meanLoss, double survivorLoss, float[] logits, float[] survivor, float[] fresh, int[] labels, int k) {
    int n = labels.length;
    samples += n;
    lossSum += meanLoss * n;
    if (fresh != null) {
      survivorLossSum += survivorLoss * n;
      newLossSum += (meanLoss - survivorLoss) * n;
    }
    for (int i = 0; i < n; i++) {
      int r = rank(logits, i, k, labels[i]);
      if (r < 1) top1++;
      if (r < 5) top5++;
      if (fresh != null) {
        mixed = true;
        if (rank(survivor, i, k, labels[i]) < 1) survivorTop1++;
        if (rank(fresh, i, k, labels[i]) < 1) newTop1++;
      }
    }
  }

  /** Number of classes ranked before the label for sample i. */
  static int rank(float[] logits, int i, int k, int label) {
    float v = logits[i * k + label];
    int r = 0;
    for (int j = 0; j < k; j++) {
      float u = logits[i * k + j];
      if (u > v || (u == v && j < label)) r++;
    }
    return r;
  }

  public long samples() {
    return samples;
  }

  public double loss() {
    return samples == 0 ? Double.NaN : lossSum / samples;
  }

  public double top1() {
    return samples == 0 ? Double.NaN : (double) top1 / samples;
  }

  public double top5() {
    return samples == 0 ? Double.NaN : (double) top5 / samples;
  }

  public boolean mixed() {
    return mixed;
  }

  /** Survivor-set top-1 (NaN when not mixed). */
  public double survivorTop1() {
    return mixed ? (double) survivorTop1 / samples : Double.NaN;
  }

  /** Mean cross-entropy of the survivor set's logits (NaN when not mixed). */
  public double survivorLoss() {
    return mixed ? survivorLossSum / samples : Double.NaN;
  }

  /** Mean cross-entropy of the new set's logits (NaN when not mixed). */
  public double newLoss() {
    return mixed ? newLossSum / samples : Double.NaN;
  }

  /** New-set top-1 (NaN when not mixed). */
  public double newTop1() {
    return mixed ? (double) newTop1 / samples : Double.NaN;
  }
}
