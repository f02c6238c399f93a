package io.nrj.runtime.model;

import io.nrj.dsl.ir.Shape;

/** A stand-alone ReLU (after a residual sum); out of place, because the input may have other readers. */
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
  public void backward() {
    if (in == null || in.grad() == null) return;
    backend.reluBackward(out.value(), out.grad(), in.grad());
  }
}
