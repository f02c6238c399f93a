package io.nrj.runtime.cpu;

import static io.nrj.runtime.cpu.CpuBackend.F;

import io.nrj.runtime.PoolGeom;
import java.lang.foreign.MemorySegment;

/**
 * Max, average and global average pooling over (n, c, h, w), split over the n*c planes; every
 * output plane is written by one thread, so the split never changes a result.
 */
final class PoolKernels {
  private PoolKernels() {}

  /** The common 2x2 window with stride 2 and no padding, which has branch-free special cases. */
  static boolean is2x2(PoolGeom g) {
    return g.kernel() == 2 && g.stride() == 2 && g.pad() == 0;
  }

  // x (n, c, h, w) -> y (n, c, oh, ow); padding never wins (it counts as -inf)
  static void maxForward(CpuThreads pool, boolean vector, MemorySegment x, MemorySegment y, PoolGeom g) {
    int h = g.h(), w = g.w(), oh = g.outH(), ow = g.outW(), k = g.kernel(), st = g.stride(), pad = g.pad();
    if (is2x2(g)) {
      // 8 output columns: two output rows make one vector (they are adjacent in y)
      boolean pairs = vector && ow == 8 && oh % 2 == 0 && w == 16;
      pool.parallelFor(g.n() * g.c(), (t, p0, p1) -> {
        for (int p = p0; p < p1; p++) {
          for (int i = 0; i < oh; i += pairs ? 2 : 1) {
            long xo = (long) p * h * w + 2L * i * w, yo = ((long) p * oh + i) * ow;
            if (pairs) {
              VectorKernels.max2x2Pair(x, xo, w, y, yo);
              continue;
            }
            int j = vector ? VectorKernels.max2x2Row(x, xo, w, y, yo, ow) : 0;
            max2x2Row(x, xo + 2L * j, w, y, yo + j, ow - j);
          }
        }
      });
      return;
    }
    pool.parallelFor(g.n() * g.c(), (t, p0, p1) -> {
      for (int p = p0; p < p1; p++) {
        long xb = (long) p * h * w, yb = (long) p * oh * ow;
        for (int i = 0; i < oh; i++) {
          int h0 = Math.max(0, i * st - pad), h1 = Math.min(h, i * st - pad + k);
          for (int j = 0; j < ow; j++) {
            int w0 = Math.max(0, j * st - pad), w1 = Math.min(w, j * st - pad + k);
            float m = Float.NEGATIVE_INFINITY;
            for (int a = h0; a < h1; a++) {
              for (int b = w0; b < w1; b++) m = Math.max(m, x.getAtIndex(F, xb + (long) a * w + b));
            }
            y.setAtIndex(F, yb + (long) i * ow + j, m);
          }
        }
      }
    });
  }

  // y[yo + j] = max of the 2x2 window at rows (xo, xo + w), columns 2j, 2j+1
  private static void max2x2Row(MemorySegment x, long xo, int w, MemorySegment y, long yo, int ow) {
    for (int j = 0; j < ow; j++) {
      long a = xo + 2 * j;
      float m0 = Math.max(x.getAtIndex(F, a), x.getAtIndex(F, a + 1));
      float m1 = Math.max(x.getAtIndex(F, a + w), x.getAtIndex(F, a + w + 1));
      y.setAtIndex(F, yo + j, Math.max(m0, m1));
    }
  }

  // dx += dy at the first (row-major) maximum of each window, recomputed from x; with accumulate
  // false dx is overwritten (with 0 where no window routes a gradient)
  static void maxBackward(
      CpuThreads pool, boolean vector, MemorySegment x, MemorySegment dy, MemorySegment dx, PoolGeom g, boolean accumulate) {
    int h = g.h(), w = g.w(), oh = g.outH(), ow = g.outW(), k = g.kernel(), st = g.stride(), pad = g.pad();
    if (!accumulate && !(is2x2(g) && h == 2 * oh && w == 2 * ow)) {
      // only the exactly tiling 2x2 windows write every element themselves
      dx.fill((byte) 0);
      accumulate = true;
    }
    boolean add = accumulate;
    if (is2x2(g)) {
      boolean pairs = vector && !add && ow == 8 && oh % 2 == 0 && w == 16;
      pool.parallelFor(g.n() * g.c(), (t, p0, p1) -> {
        for (int p = p0; p < p1; p++) {
          for (int i = 0; i < oh; i += pairs ? 2 : 1) {
            long xo = (long) p * h * w + 2L * i * w, yo = ((long) p * oh + i) * ow;
            if (pairs) {
              VectorKernels.maxBack2x2OverwritePair(x, dx, xo, w, dy, yo);
              continue;
            }
            int j = vector && !add ? VectorKernels.maxBack2x2Overwrite(x, dx, xo, w, dy, yo, ow) : 0;
            maxBack2x2Row(x, dx, xo + 2L * j, w, dy, yo + j, ow - j, add);
          }
        }
      });
      return;
    }
    pool.parallelFor(g.n() * g.c(), (t, p0, p1) -> {
      for (int p = p0; p < p1; p++) {
        long xb = (long) p * h * w, yb = (long) p * oh * ow;
        for (int i = 0; i < oh; i++) {
          int h0 = Math.max(0, i * st - pad), h1 = Math.min(h, i * st - pad + k);
          for (int j = 0; j < ow; j++) {
            int w0 = Math.max(0, j * st - pad), w1 = Math.min(w, j * st - pad + k);
            float m = Float.NEGATIVE_INFINITY;
            long arg = -1;
            for (int a = h0; a < h1; a++) {
              for (int b = w0; b < w1; b++) {
                float v = x.getAtIndex(F, xb + (long) a * w + b);
                if (v > m || arg < 0) {
                  m = v;
                  arg = xb + (long) a * w + b;
                }
              }
            }
            if (arg >= 0) dx.setAtIndex(F, arg, dx.getAtIndex(F, arg) + dy.getAtIndex(F, yb + (long) i * ow + j));
          }
        }
      }
    });
  }

  // one output row of 2x2 windows: dy goes to the first maximum, chosen without branches
  // (which element wins is random in training, so branches would mispredict)
  private static void maxBack2x2Row(MemorySegment x, MemorySegment dx, long xo, int w, MemorySegment dy, long yo, int ow, boolean add) {
    for (int j = 0; j < ow; j++) {
      long a = xo + 2 * j, c = a + w;
      float va = x.getAtIndex(F, a), vb = x.getAtIndex(F, a + 1), vc = x.getAtIndex(F, c), vd = x.getAtIndex(F, c + 1);
      float m = Math.max(Math.max(va, vb), Math.max(vc, vd));
      float g = dy.getAtIndex(F, yo + j);
      // offset of the first maximum: 0, 1, w or w+1, as integer selects (conditional moves)
      long o = vc == m ? w : w + 1;
      o = vb == m ? 1 : o;
      o = va == m ? 0 : o;
      if (add) {
        dx.setAtIndex(F, a + o, dx.getAtIndex(F, a + o) + g);
      } else {
        dx.setAtIndex(F, a, o == 0 ? g : 0f);
        dx.setAtIndex(F, a + 1, o == 1 ? g : 0f);
        dx.setAtIndex(F, c, o == w ? g : 0f);
        dx.setAtIndex(F, c + 1, o == w + 1 ? g : 0f);
      }
    }
  }

  // y = window sum / kernel^2 (padding counts in the divisor, PyTorch count_include_pad=True)
  static void avgForward(CpuThreads pool, MemorySegment x, MemorySegment y, PoolGeom g) {
    int h = g.h(), w = g.w(), oh = g.outH(), ow = g.outW(), k = g.kernel(), st = g.stride(), pad = g.pad();
    float inv = 1f / (k * k);
    pool.parallelFor(g.n() * g.c(), (t, p0, p1) -> {
      for (int p = p0; p < p1; p++) {
        long xb = (long) p * h * w, yb = (long) p * oh * ow;
        for (int i = 0; i < oh; i++) {
          int h0 = Math.max(0, i * st - pad), h1 = Math.min(h, i * st - pad + k);
          for (int j = 0; j < ow; j++) {
            int w0 = Math.max(0, j * st - pad), w1 = Math.min(w, j * st - pad + k);
            float s = 0;
            for (int a = h0; a < h1; a++) {
              for (int b = w0; b < w1; b++) s += x.getAtIndex(F, xb + (long) a * w + b);
            }
            y.setAtIndex(F, yb + (long) i * ow + j, s * inv);
          }
        }
      }
    });
  }

  // dx += dy / kernel^2 over each window
  static void avgBackward(CpuThreads pool, MemorySegment dy, MemorySegment dx, PoolGeom g) {
    int h = g.h(), w = g.w(), oh = g.outH(), ow = g.outW(), k = g.kernel(), st = g.stride(), pad = g.pad();
    float inv = 1f / (k * k);
    pool.parallelFor(g.n() * g.c(), (t, p0, p1) -> {
      for (int p = p0; p < p1; p++) {
        long xb = (long) p * h * w, yb = (long) p * oh * ow;
        for (int i = 0; i < oh; i++) {
          int h0 = Math.max(0, i * st - pad), h1 = Math.min(h, i * st - pad + k);
          for (int j = 0; j < ow; j++) {
            int w0 = Math.max(0, j * st - pad), w1 = Math.min(w, j * st - pad + k);
            float d = dy.getAtIndex(F, yb + (long) i * ow + j) * inv;
            for (int a = h0; a < h1; a++) {
              for (int b = w0; b < w1; b++) {
                long o = xb + (long) a * w + b;
                dx.setAtIndex(F, o, dx.getAtIndex(F, o) + d);
              }
            }
          }
        }
      }
    });
  }

  // x (planes, hw) -> y (planes): mean of each plane
  static void globalAvgForward(CpuThreads pool, MemorySegment x, MemorySegment y, int planes, int hw) {
    pool.parallelFor(planes, (t, p0, p1) -> {
      for (int p = p0; p < p1; p++) {
        float s = 0;
        long b = (long) p * hw;
        for (int j = 0; j < hw; j++) s += x.getAtIndex(F, b + j);
        y.setAtIndex(F, p, s / hw);
      }
    });
  }

  // dx (planes, hw) += dy (planes) / hw
  static void globalAvgBackward(CpuThreads pool, boolean vector, MemorySegment dy, MemorySegment dx, int planes, int hw) {
    pool.parallelFor(planes, (t, p0, p1) -> {
      for (int p = p0; p < p1; p++) {
        float d = dy.getAtIndex(F, p) / hw;
        long b = (long) p * hw;
        long j = vector ? VectorKernels.addScalar(d, dx, b, b + hw) : b; // the same adds, 16 at a time
        for (; j < b + hw; j++) dx.setAtIndex(F, j, dx.getAtIndex(F, j) + d);
      }
    });
  }
}
