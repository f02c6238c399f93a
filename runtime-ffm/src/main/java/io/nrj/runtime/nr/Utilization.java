package io.nrj.runtime.nr;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrSettings.Measure;
import java.util.List;

/**
 * Computational resource utilization u = live / all over the NR convolutions (spec §4). Only NR
 * convs count: BN, the classifier, pools, sums and concatenations add nothing to either side.
 *
 * <ul>
 *   <li>Parameters: all = Cin·Cout·k², live = count(liveIn)·count(live)·k².
 *   <li>FLOPs (multiply-accumulates, no factor 2): both multiplied by Hout·Wout of the conv at the
 *       IR's input resolution.
 *   <li>A fully dead layer adds 0 to live and its full cost to all. In FLOPs mode that cost is its
 *       FLOPs, not its parameter count: spec §12 B5 recommendation (the authors' code adds the
 *       parameter count; the difference is negligible).
 * </ul>
 */
public final class Utilization {
  private final long[] live;
  private final long[] all;
  private final long liveSum;
  private final long allSum;

  private Utilization(long[] live, long[] all) {
    this.live = live;
    this.all = all;
    long l = 0, a = 0;
    for (int i = 0; i < live.length; i++) {
      l += live[i];
      a += all[i];
    }
    this.liveSum = l;
    this.allSum = a;
  }

  public static Utilization of(NetworkIr ir, Liveness liveness, Measure measure) {
    List<IrNode.Conv> convs = ir.convs();
    long[] live = new long[convs.size()];
    long[] all = new long[convs.size()];
    for (IrNode.Conv c : convs) {
      int i = c.convIndex();
      long k2 = (long) c.kernel() * c.kernel();
      long area = measure == Measure.FLOPS ? (long) c.out().height() * c.out().width() : 1L;
      boolean[] in = liveness.convLiveIn(i);
      boolean[] out = liveness.convLive(i);
      all[i] = (long) in.length * out.length * k2 * area;
      live[i] =
          liveness.isAllDead(i)
              ? 0L
              : (long) Liveness.count(in) * Liveness.count(out) * k2 * area;
    }
    return new Utilization(live, all);
  }

  /** Σ live over all NR convs. */
  public long live() {
    return liveSum;
  }

  /** Σ all over all NR convs: the utilization denominator. */
  public long all() {
    return allSum;
  }

  /** u = live / all, in double. */
  public double value() {
    return (double) liveSum / (double) allSum;
  }

  public long live(int convIndex) {
    return live[convIndex];
  }

  public long all(int convIndex) {
    return all[convIndex];
  }
}
