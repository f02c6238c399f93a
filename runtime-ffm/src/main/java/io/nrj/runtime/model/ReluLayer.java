package io.nrj.runtime.model;

import io.nrj.dsl.ir.Shape;

/**
 * A stand-alone ReLU (after a residual sum). It runs in place over its input when the network's
 * {@link MemoryPlan} gives it the input's memory (the input has no other reader), else out of place.
 */
public final class ReluLayer extends Layer {
  private final Shape shape;
  private Activation in;
  private Activation out;

  public ReluLayer(String name, Shape shape) {
    super(name);
    this.shape = shape;
  }

  @Override
  protected void plan(int n, ActivationArena arena) {
    out = shape.channels() == 0 ? null : arena.activation(n, shape);
  }

  public Activation forward(Activation x, boolean train) {
    in = x;
    if (x == null) return null;
    backend.reluForward(x.value(), out.value());
    return out;
  }

  @Override
  protected boolean runsInPlace() {
    return true;
  }

  @Override
  protected void backwardImpl() {
    if (in == null || in.grad() == null) return;
    backend.reluBackward(out.value(), out.grad(), in.grad());
  }
}
