package io.nrj.runtime.cuda;

import io.nrj.runtime.ConvGeom;

/** The shape that cuDNN descriptors and algorithm choices are cached by. */
public record ConvKey(int n, int c, int h, int w, int k, int r, int s, int stride, int pad) {
  static ConvKey of(ConvGeom g) {
    return new ConvKey(g.n(), g.c(), g.h(), g.w(), g.k(), g.r(), g.s(), g.stride(), g.pad());
  }

  ConvGeom geom() {
    return new ConvGeom(n, c, h, w, k, r, s, stride, pad);
  }
}
