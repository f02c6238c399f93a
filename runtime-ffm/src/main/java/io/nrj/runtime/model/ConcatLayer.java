package io.nrj.runtime.model;

import io.nrj.dsl.ir.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Channel concatenation in input order (spec JoinList); absent (null) inputs contribute no channels
 * (spec §12 B4).
 */
public final class ConcatLayer extends Layer {
  private final Shape shape;
  private final List<Activation> ins = new ArrayList<>();
  private Activation out;

  /** @param shape the output shape: the sum of the inputs' channels */
  public ConcatLayer(String name, Shape shape) {
    super(name);
    this.shape = shape;
  }

  @Override
  protected void plan(int n, ActivationArena arena) {
    out = shape.channels() == 0 ? null : arena.activation(n, shape);
  }

  public Activation forward(Activation... xs) {
    ins.clear();
    for (Activation x : xs) if (x != null) ins.add(x);
    if (ins.isEmpty()) return null;
    int offset = 0;
    for (Activation x : ins) {
      backend.copyChannels(
          x.value(), x.channels(), 0, out.value(), shape.channels(), offset, x.channels(), x.n(), x.hw(), false);
      offset += x.channels();
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
    int offset = 0;
    for (Activation x : ins) {
      if (x.grad() != null) {
        backend.copyChannels(
            out.grad(), shape.channels(), offset, x.grad(), x.channels(), 0, x.channels(), x.n(), x.hw(), true);
      }
      offset += x.channels();
    }
  }
}
