package io.nrj.runtime.model;

import io.nrj.dsl.ir.Shape;

/** Max pooling, square window; padding acts as -infinity; gradient to the first maximum. */
public final class MaxPoolLayer extends PoolLayer {
  /** @param inShape the input's (c, h, w) at the current widths; c may be 0 (absent input) */
  public MaxPoolLayer(String name, Shape inShape, int kernel, int stride, int pad) {
    super(name, Kind.MAX, inShape, kernel, stride, pad);
  }
}
