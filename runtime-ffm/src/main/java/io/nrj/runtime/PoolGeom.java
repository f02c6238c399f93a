package io.nrj.runtime;

/** Geometry of a square pooling window over (n, c, h, w) with stride and padding. */
public record PoolGeom(int n, int c, int h, int w, int kernel, int stride, int pad) {
  public int outH() {
    return (h + 2 * pad - kernel) / stride + 1;
  }

  public int outW() {
    return (w + 2 * pad - kernel) / stride + 1;
  }
}
