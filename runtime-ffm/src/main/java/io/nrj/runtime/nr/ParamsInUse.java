package io.nrj.runtime.nr;

import io.nrj.dsl.Counter;
import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.dsl.ir.Shape;
import io.nrj.dsl.ir.Widths;

/**
 * The parameters a rejuvenated network actually uses (spec §12 A3: report the weights in use next
 * to the total allocated). With cross connections removed, the two cross blocks of every split conv
 * are allocated but stay exactly 0 and take no part in the forward pass (spec §6.5), so they are not
 * in use: a split conv with li of inW inputs and lo of outW outputs uses (li·lo + (outW−lo)·(inW−li))·k²
 * of its outW·inW·k² weights. With cross-attention every weight is trained, and before rejuvenation
 * (no layout) every parameter is in use. BN scales and shifts, the classifier and its bias always
 * count in full. That is about {@code all · (1 − 2·sqrt(u) + 2u)} conv weights at utilization u
 * (spec §5.5): half of them at u = 0.25.
 */
public final class ParamsInUse {
  private ParamsInUse() {}

  /**
   * @param ir the network as declared
   * @param widths its current conv widths
   * @param layout the mixed layout after rejuvenation, or null before
   */
  public static long of(NetworkIr ir, Widths widths, MixedLayout layout) {
    long params = Counter.count(ir, widths).params();
    if (layout == null || layout.cross() == CrossMode.ATTENTION) return params;
    Shape[] shapes = ir.shapes(widths);
    int image = ir.input().channels();
    long idle = 0;
    for (IrNode.Conv c : ir.convs()) {
      MixedLayout.ConvSplit s = layout.convs().get(c.convIndex());
      if (!s.split() || s.deleted()) continue;
      int src = c.inputs().getFirst();
      long inW = src == IrNode.IMAGE ? image : shapes[src].channels();
      long outW = widths.get(c.convIndex());
      long k2 = (long) c.kernel() * c.kernel();
      // W'[0:lo, li:inW] and W'[lo:outW, 0:li] (spec §5.2)
      idle += (s.liveOut() * (inW - s.liveIn()) + (outW - s.liveOut()) * s.liveIn()) * k2;
    }
    return params - idle;
  }
}
