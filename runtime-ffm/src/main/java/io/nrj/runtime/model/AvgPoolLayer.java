package io.nrj.runtime.model;

import io.nrj.dsl.ir.Shape;

/** Average pooling, square window; padded zeros count in the divisor (PyTorch default). */
public final class AvgPoolLayer extends PoolLayer {
  /** @param inShape the input's (c, h, w) at the current widths; c may be 0 (absent input) */
  public AvgPoolLayer(String name, Shape inShape, int kernel, int stride, int pad) {
    super(name, Kind.AVG, inShape, kernel, stride, pad);
  }
}
