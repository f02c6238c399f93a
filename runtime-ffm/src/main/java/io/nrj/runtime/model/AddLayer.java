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
  /** Whether the ReLU after this sum runs here (see {@link ReluLayer#fuseIntoSum}). */
  private boolean reluAfter;
  /** Whether the BN producing the input this sum runs in place over has added the other input. */
  private boolean summedByNorm;

  public AddLayer(String name, Shape shape) {
    super(name);
    this.shape = shape;
  }

  @Override
  protected void plan(int n, ActivationArena arena) {
    out = shape.channels() == 0 ? null : arena.activation(n, shape);
  }

  /**
   * Set by the network's plan: the ReLU that reads this sum, in place over its memory and with its
   * gradient in the same buffer, runs here (the last add and the ReLU as one pass; in backward the
   * mask and the shortcut's copy as one pass).
   */
  void reluAfter(boolean fused) {
    this.reluAfter = fused;
  }

  /** Whether the ReLU after this sum runs here (read by the plan). */
  boolean reluAfter() {
    return reluAfter;
  }

  /**
   * Set by the network's plan: the BN whose output this sum overwrites adds the other input (and
   * the fused ReLU) itself ({@link ConvBnLayer#addResidual}), so this forward only passes the sum on.
   */
  void summedByNorm(boolean summed) {
    this.summedByNorm = summed;
  }

  /** y = sum of the non-null inputs (then max(y, 0) when the ReLU after it is fused); null when all are null. */
  public Activation forward(Activation... xs) {
    ins.clear();
    for (Activation x : xs) if (x != null) ins.add(x);
    if (ins.isEmpty()) return null;
    int self = -1; // the input whose memory the output reuses (MemoryPlan), if any
    for (int i = 0; i < ins.size(); i++) if (ins.get(i).value() == out.value()) self = i;
    if (summedByNorm) {
      if (ins.size() != 2 || self < 0) throw new IllegalStateException("sum " + name() + " planned as summed by its BN, but its inputs changed");
      return out;
    }
    Tensor y = out.value();
    List<Tensor> terms = new ArrayList<>(ins.size()); // added to y in this order
    if (self >= 0) {
      for (int i = 0; i < ins.size(); i++) if (i != self) terms.add(ins.get(i).value());
    } else if (ins.size() == 1) {
      backend.copy(ins.getFirst().value(), y);
    } else {
      backend.add(ins.get(0).value(), ins.get(1).value(), y);
      for (int i = 2; i < ins.size(); i++) terms.add(ins.get(i).value());
    }
    for (int i = 0; i < terms.size(); i++) {
      if (reluAfter && i == terms.size() - 1) backend.addRelu(y, terms.get(i), y);
      else backend.add(y, terms.get(i), y);
    }
    if (reluAfter && terms.isEmpty()) backend.reluForward(y, y);
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
    if (ins.isEmpty() || out.grad() == null) return;
    // an input whose gradient is this output's gradient buffer (MemoryPlan) already has it; one
    // this sum writes first (a ResNet block's shortcut) gets a copy instead of a fill and an add.
    // With the ReLU fused, its mask goes first, in the same pass as the first copy.
    boolean masked = !reluAfter;
    List<Tensor> written = new ArrayList<>(ins.size());
    for (Activation x : ins) {
      Tensor g = x.grad();
      if (g == null || g == out.grad()) continue;
      boolean first = overwrites(g) && written.stream().noneMatch(t -> t == g); // x + x adds the second
      if (!masked) {
        backend.reluMaskCopy(out.value(), out.grad(), g, first);
        masked = true;
      } else if (first) {
        backend.copy(out.grad(), g);
      } else {
        backend.axpy(1f, out.grad(), g);
      }
      written.add(g);
    }
    if (!masked) backend.reluMaskInPlace(out.value(), out.grad());
  }
}
