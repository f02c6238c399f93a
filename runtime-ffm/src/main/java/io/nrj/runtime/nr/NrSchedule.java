package io.nrj.runtime.nr;

import java.util.ArrayList;
import java.util.List;

/**
 * Epoch count and LR milestones of an NR run (spec §2.2). While the network is sparse, every
 * finished epoch moves the end and every milestone one epoch later, before the trigger is checked,
 * so no LR decay happens before rejuvenation and the rejuvenated network gets the full original
 * schedule (Qiao et al. 2019, {@code cifar.py}; spec §2.2 and §13.7).
 *
 * <p>The LR is derived from (epoch, milestones) rather than kept as a running product, so a resume
 * after a milestone gets the right value (spec §12 D1 recommendation): lr(epoch) = lr0 ·
 * gamma^(number of milestones m with m &lt;= epoch). Immutable.
 *
 * @param epochs total epochs E (shifted)
 * @param milestones 0-based epochs at whose start the LR is multiplied by gamma (shifted)
 * @param baseLr the initial LR
 * @param gamma the LR decay factor
 */
public record NrSchedule(int epochs, List<Integer> milestones, double baseLr, double gamma) {
  public NrSchedule {
    milestones = List.copyOf(milestones);
  }

  /** E + 1 and every milestone + 1: one more sparse epoch was spent. */
  public NrSchedule shifted() {
    List<Integer> m = new ArrayList<>(milestones.size());
    for (int x : milestones) m.add(x + 1);
    return new NrSchedule(epochs + 1, m, baseLr, gamma);
  }

  /** The LR for 0-based {@code epoch}. */
  public double learningRate(int epoch) {
    double lr = baseLr;
    for (int m : milestones) if (m <= epoch) lr *= gamma;
    return lr;
  }
}
