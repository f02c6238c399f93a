package io.nrj.runtime.model;

import io.nrj.dsl.ir.Shape;
import io.nrj.runtime.PoolGeom;

/**
 * Max or average pooling with a square window over (n, c, h, w). Max pooling pads with -infinity
 * and routes the gradient to the first maximum; average pooling counts padding in the divisor
 * (PyTorch defaults).
 */
public abstract sealed class PoolLayer extends Layer permits MaxPoolLayer, AvgPoolLayer {
  /** Which pooling. */
  public enum Kind {
    MAX,
    AVG
  }

  private final Kind kind;
  private final Shape inShape;
  private final int kernel;
  private final int stride;
  private final int pad;
  private PoolGeom geom;
  private Activation in;
  private Activation out;

  /**
   * @param inShape the input's (c, h, w) at the current widths; c may be 0 (absent input)
   */
  PoolLayer(String name, Kind kind, Shape inShape, int kernel, int stride, int pad) {
    super(name);
    this.kind = kind;
    this.inShape = inShape;
    this.kernel = kernel;
    this.stride = stride;
    this.pad = pad;
  }


  /** The output of the last plan (null when the input is absent). */
  public Activation output() {
    return out;
  }

  @Override
  protected void plan(int n, ActivationArena arena) {
    if (inShape.channels() == 0) {
      out = null;
      return;
    }
    geom = new PoolGeom(n, inShape.channels(), inShape.height(), inShape.width(), kernel, stride, pad);
    out = arena.activation(n, new Shape(inShape.channels(), geom.outH(), geom.outW()));
  }

  /** y = pool(x); null in, null out. */
  public Activation forward(Activation x, boolean train) {
    in = x;
    if (x == null) return null;
    if (kind == Kind.MAX) backend.maxPoolForward(x.value(), out.value(), geom);
    else backend.avgPoolForward(x.value(), out.value(), geom);
    return out;
  }

  @Override
  protected boolean backwardReadsOutput() {
    return kind == Kind.MAX; // routes the gradient to the window's first maximum, found again
  }

  @Override
  protected void backwardImpl() {
    if (in == null || in.grad() == null) return;
    if (kind == Kind.MAX) backend.maxPoolBackward(in.value(), out.value(), out.grad(), in.grad(), geom);
    else backend.avgPoolBackward(out.grad(), in.grad(), geom);
  }
}
