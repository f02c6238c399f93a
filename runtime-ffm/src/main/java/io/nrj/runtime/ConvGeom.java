package io.nrj.runtime;

/**
 * Geometry of a 2-D convolution: input (n, c, h, w), weights (k, c, r, s), output (n, k, outH,
 * outW), square stride and zero padding. Dilation 1, groups 1.
 */
public record ConvGeom(int n, int c, int h, int w, int k, int r, int s, int stride, int pad) {
  public int outH() {
    return (h + 2 * pad - r) / stride + 1;
  }

  public int outW() {
    return (w + 2 * pad - s) / stride + 1;
  }

  /** Multiply-accumulates of one forward pass. */
  public long macs() {
    return (long) n * k * outH() * outW() * c * r * s;
  }
}
