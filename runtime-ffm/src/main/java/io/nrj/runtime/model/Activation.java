package io.nrj.runtime.model;

import io.nrj.dsl.ir.Shape;
import io.nrj.runtime.Tensor;

/**
 * One activation between layers for a batch of {@code n}: its value (n, C, H, W) and the gradient
 * of the loss with respect to it (same shape). The producing layer owns both; consumers read {@code
 * value} in forward and accumulate ({@code +=}) into {@code grad} in backward. {@code grad} is null
 * for the input image, whose gradient nobody needs.
 */
public record Activation(Tensor value, Tensor grad, int n, Shape shape) {
  public int channels() {
    return shape.channels();
  }

  public int height() {
    return shape.height();
  }

  public int width() {
    return shape.width();
  }

  /** Elements per sample: C*H*W. */
  public int hw() {
    return shape.height() * shape.width();
  }
}
