package io.nrj.runtime.model;

import io.nrj.dsl.ir.Shape;
import io.nrj.runtime.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Residual sum of equally shaped inputs; absent (null) inputs are skipped, so a deleted residual
 * branch leaves the shortcut (spec §12 B1).
 */
public final class AddLayer extends Layer {
  private final Shape shape;
  private final List<Activation> ins = new ArrayList<>();
  private Activation out;

  public AddLayer(String name, Shape shape) {
    super(name);
    this.shape = shape;
  }

  @Override
  protected void plan(int n, ActivationArena arena) {
    out = shape.channels() == 0 ? null : arena.activation(n, shape);
  }

  /** y = sum of the non-null inputs; null when all are null. */
  public Activation forward(Activation... xs) {
    ins.clear();
    for (Activation x : xs) if (x != null) ins.add(x);
    if (ins.isEmpty()) return null;
    int self = -1; // the input whose memory the output reuses (MemoryPlan), if any
    for (int i = 0; i < ins.size(); i++) if (ins.get(i).value() == out.value()) self = i;
    if (self >= 0) {
      for (int i = 0; i < ins.size(); i++) if (i != self) backend.add(out.value(), ins.get(i).value(), out.value());
    } else if (ins.size() == 1) {
      backend.copy(ins.getFirst().value(), out.value());
    } else {
      backend.add(ins.get(0).value(), ins.get(1).value(), out.value());
      for (int i = 2; i < ins.size(); i++) backend.add(out.value(), ins.get(i).value(), out.value());
    }
    return out;
  }

  @Override
  protected boolean backwardReadsOutput() {
    return false;
  }

  @Override
  protected boolean runsInPlace() {
    return true;
  }

  @Override
  protected boolean passesGradientThrough(boolean inPlaceReluMask) {
    return true;
  }

  @Override
  protected boolean canOverwriteInputGradient() {
    return true;
  }

  @Override
  protected void backwardImpl() {
    // an input whose gradient is this output's gradient buffer (MemoryPlan) already has it; one
    // this sum writes first (a ResNet block's shortcut) gets a copy instead of a fill and an add
    List<Tensor> written = new ArrayList<>(ins.size());
    for (Activation x : ins) {
      Tensor g = x.grad();
      if (g == null || g == out.grad()) continue;
      boolean first = overwrites(g) && written.stream().noneMatch(t -> t == g); // x + x adds the second
      if (first) backend.copy(out.grad(), g);
      else backend.axpy(1f, out.grad(), g);
      written.add(g);
    }
  }
}
