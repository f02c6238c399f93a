package io.nrj.runtime.model;

import io.nrj.dsl.ir.Shape;
import io.nrj.runtime.nr.MixedChannels;
import java.util.List;

/**
 * Channel concatenation (spec JoinList): the output (n, C, h, w) is made of runs of its inputs'
 * channels in the order {@link MixedChannels#concatOrder} gives: plain input order before
 * rejuvenation; after it, the survivor parts of the inputs, then their new parts ({@code [s0 s1 ..
 * | n0 n1 ..]}, spec §5.3), the order the surgery laid the consumers' weights out in. Absent (null)
 * inputs contribute no channels (spec §12 B4).
 */
public final class ConcatLayer extends Layer {
  private final Shape shape;
  private final List<MixedChannels.Run> order;
  private Activation[] ins;
  private Activation out;

  /**
   * @param shape the output shape: the sum of the inputs' channels
   * @param order the runs of input channels the output is made of, in output order
   */
  public ConcatLayer(String name, Shape shape, List<MixedChannels.Run> order) {
    super(name);
    this.shape = shape;
    this.order = List.copyOf(order);
  }

  @Override
  protected void plan(int n, ActivationArena arena) {
    out = shape.channels() == 0 ? null : arena.activation(n, shape);
  }

  /** Joins {@code xs}, the inputs in the IR's order (null for an absent one). */
  public Activation forward(Activation... xs) {
    ins = xs;
    if (out == null) return null;
    int offset = 0;
    for (MixedChannels.Run r : order) {
      Activation x = ins[r.input()];
      if (x == null || r.to() > x.channels()) {
        throw new IllegalStateException(
            "concat " + name() + " planned for channels [" + r.from() + ", " + r.to() + ") of input " + r.input()
                + ", got " + (x == null ? "none" : x.channels() + " channels"));
      }
      backend.copyChannels(
          x.value(), x.channels(), r.from(), out.value(), shape.channels(), offset, r.length(), x.n(), x.hw(), false);
      offset += r.length();
    }
    if (offset != shape.channels()) {
      throw new IllegalStateException(
          "concat " + name() + " planned for " + shape.channels() + " channels, got " + offset);
    }
    return out;
  }

  @Override
  protected boolean backwardReadsOutput() {
    return false;
  }

  @Override
  protected void backwardImpl() {
    if (ins == null || out == null) return;
    int offset = 0;
    for (MixedChannels.Run r : order) {
      Activation x = ins[r.input()];
      if (x.grad() != null) {
        backend.copyChannels(
            out.grad(), shape.channels(), offset, x.grad(), x.channels(), r.from(), r.length(), x.n(), x.hw(), true);
      }
      offset += r.length();
    }
  }
}
