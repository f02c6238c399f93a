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
  /** Whether the sum before this ReLU runs it (set by the network's plan). */
  private boolean fused;

  public ReluLayer(String name, Shape shape) {
    super(name);
    this.shape = shape;
  }

  @Override
  protected void plan(int n, ActivationArena arena) {
    out = shape.channels() == 0 ? null : arena.activation(n, shape);
  }

  /**
   * Set by the network's plan when this ReLU's input is a residual sum whose memory and gradient
   * buffer it shares (MemoryPlan): the sum then applies the ReLU and its mask ({@link
   * AddLayer#reluAfter}), and this layer only passes the activation on.
   */
  void fuseIntoSum(boolean fused) {
    this.fused = fused;
  }

  public Activation forward(Activation x, boolean train) {
    in = x;
    if (x == null) return null;
    if (fused && x.value() == out.value()) return out; // rectified by the sum
    backend.reluForward(x.value(), out.value());
    return out;
  }

  @Override
  protected boolean runsInPlace() {
    return true;
  }

  @Override
  protected boolean passesGradientThrough(boolean inPlaceReluMask) {
    return inPlaceReluMask;
  }

  @Override
  protected void backwardImpl() {
    if (in == null || in.grad() == null) return;
    if (fused && in.grad() == out.grad() && in.value() == out.value()) return; // masked by the sum
    if (in.grad() == out.grad()) backend.reluMaskInPlace(out.value(), out.grad()); // one buffer (MemoryPlan)
    else backend.reluBackward(out.value(), out.grad(), in.grad());
  }
}
