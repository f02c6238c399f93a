package io.nrj.runtime.cpu;

import static io.nrj.runtime.cpu.CpuBackend.F;

import java.lang.foreign.MemorySegment;

/**
 * Element-wise kernels (ReLU, add, axpy, masks, the cross-attention gate, channel copies and the
 * optimiser step). Memory-bound loops: large arrays are split into fixed blocks over the pool; each
 * element is computed by exactly one thread, so the split never changes a result.
 */
final class Elementwise {
  private Elementwise() {}

  /** Elements per parallel block: below this a loop runs on the calling thread. */
  static final int BLOCK = 1 << 15;

  /** Runs body over [0, n) in BLOCK-sized pieces spread statically over the pool. */
  static void blocks(CpuThreads pool, long n, LongRange body) {
    if (n <= BLOCK) {
      body.run(0, n);
      return;
    }
    int nb = (int) ((n + BLOCK - 1) / BLOCK);
    pool.parallelFor(nb, (t, b0, b1) -> body.run((long) b0 * BLOCK, Math.min(n, (long) b1 * BLOCK)));
  }

  @FunctionalInterface
  interface LongRange {
    void run(long from, long to);
  }

  // y = max(x, 0); x == y allowed
  static void relu(CpuThreads pool, boolean vector, MemorySegment x, MemorySegment y) {
    blocks(pool, x.byteSize() / 4, (a, b) -> {
      long i = vector ? VectorKernels.relu(x, y, a, b) : a;
      for (; i < b; i++) y.setAtIndex(F, i, Math.max(x.getAtIndex(F, i), 0f));
    });
  }

  // dx += dy where y > 0 (branch-free: the sign of y is random in training)
  static void reluBackward(CpuThreads pool, boolean vector, MemorySegment y, MemorySegment dy, MemorySegment dx) {
    blocks(pool, y.byteSize() / 4, (a, b) -> {
      long i = vector ? VectorKernels.reluBackward(y, dy, dx, a, b) : a;
      for (; i < b; i++) {
        float g = y.getAtIndex(F, i) > 0f ? dy.getAtIndex(F, i) : 0f;
        dx.setAtIndex(F, i, dx.getAtIndex(F, i) + g);
      }
    });
  }

  // g = y > 0 ? g : 0, in place
  static void reluMask(CpuThreads pool, boolean vector, MemorySegment y, MemorySegment g) {
    blocks(pool, y.byteSize() / 4, (a, b) -> {
      long i = vector ? VectorKernels.reluMask(y, g, a, b) : a;
      for (; i < b; i++) if (!(y.getAtIndex(F, i) > 0f)) g.setAtIndex(F, i, 0f);
    });
  }

  // y = a + b
  static void add(CpuThreads pool, boolean vector, MemorySegment a, MemorySegment b, MemorySegment y) {
    blocks(pool, a.byteSize() / 4, (s, e) -> {
      long i = vector ? VectorKernels.add(a, b, y, s, e) : s;
      for (; i < e; i++) y.setAtIndex(F, i, a.getAtIndex(F, i) + b.getAtIndex(F, i));
    });
  }

  // y = max(a + b, 0): the same sum and max as add then relu
  static void addRelu(CpuThreads pool, boolean vector, MemorySegment a, MemorySegment b, MemorySegment y) {
    blocks(pool, a.byteSize() / 4, (s, e) -> {
      long i = vector ? VectorKernels.addRelu(a, b, y, s, e) : s;
      for (; i < e; i++) y.setAtIndex(F, i, Math.max(a.getAtIndex(F, i) + b.getAtIndex(F, i), 0f));
    });
  }

  // g = y > 0 ? g : 0 in place, then dst = g or dst += g (as reluMask then copy or axpy with 1)
  static void reluMaskCopy(CpuThreads pool, boolean vector, MemorySegment y, MemorySegment g, MemorySegment dst, boolean overwrite) {
    blocks(pool, y.byteSize() / 4, (s, e) -> {
      long i = vector ? VectorKernels.reluMaskCopy(y, g, dst, overwrite, s, e) : s;
      for (; i < e; i++) {
        float v = y.getAtIndex(F, i) > 0f ? g.getAtIndex(F, i) : 0f;
        g.setAtIndex(F, i, v);
        dst.setAtIndex(F, i, overwrite ? v : 1f * v + dst.getAtIndex(F, i));
      }
    });
  }

  // dst += alpha * src
  static void axpy(CpuThreads pool, boolean vector, float alpha, MemorySegment src, MemorySegment dst) {
    blocks(pool, src.byteSize() / 4, (s, e) -> {
      long i = vector ? VectorKernels.axpy(alpha, src, dst, s, e) : s;
      for (; i < e; i++) dst.setAtIndex(F, i, alpha * src.getAtIndex(F, i) + dst.getAtIndex(F, i));
    });
  }

  // t *= mask
  static void multiply(CpuThreads pool, boolean vector, MemorySegment t, MemorySegment mask) {
    blocks(pool, t.byteSize() / 4, (s, e) -> {
      long i = vector ? VectorKernels.multiply(t, mask, s, e) : s;
      for (; i < e; i++) t.setAtIndex(F, i, t.getAtIndex(F, i) * mask.getAtIndex(F, i));
    });
  }

  // y = a + 2*sigmoid(a)*c (spec §6.2)
  static void gateForward(CpuThreads pool, MemorySegment a, MemorySegment c, MemorySegment y) {
    blocks(pool, a.byteSize() / 4, (s, e) -> {
      for (long i = s; i < e; i++) {
        float av = a.getAtIndex(F, i);
        float sg = (float) (1.0 / (1.0 + Math.exp(-av)));
        y.setAtIndex(F, i, av + 2f * sg * c.getAtIndex(F, i));
      }
    });
  }

  // da += dy*(1 + 2*s*(1-s)*c); dc += dy*2*s, with s = sigmoid(a)
  static void gateBackward(CpuThreads pool, MemorySegment a, MemorySegment c, MemorySegment dy, MemorySegment da, MemorySegment dc) {
    blocks(pool, a.byteSize() / 4, (s, e) -> {
      for (long i = s; i < e; i++) {
        float sg = (float) (1.0 / (1.0 + Math.exp(-a.getAtIndex(F, i))));
        float g = dy.getAtIndex(F, i);
        da.setAtIndex(F, i, da.getAtIndex(F, i) + g * (1f + 2f * sg * (1f - sg) * c.getAtIndex(F, i)));
        dc.setAtIndex(F, i, dc.getAtIndex(F, i) + g * 2f * sg);
      }
    });
  }

  // src (n, srcC, hw) channels [srcOff, srcOff+count) -> dst (n, dstC, hw) channels [dstOff, ...)
  static void copyChannels(
      CpuThreads pool, MemorySegment src, int srcC, int srcOff, MemorySegment dst, int dstC, int dstOff,
      int count, int n, int hw, boolean accumulate) {
    long run = (long) count * hw; // contiguous floats per image on both sides
    pool.parallelFor(n, (t, n0, n1) -> {
      for (int i = n0; i < n1; i++) {
        long s0 = ((long) i * srcC + srcOff) * hw, d0 = ((long) i * dstC + dstOff) * hw;
        if (!accumulate) {
          MemorySegment.copy(src, s0 * 4, dst, d0 * 4, run * 4);
        } else {
          addInto(src, s0, dst, d0, run);
        }
      }
    });
  }

  // dst[d, d+n) += src[s, s+n)
  private static void addInto(MemorySegment src, long s, MemorySegment dst, long d, long n) {
    for (long j = 0; j < n; j++) dst.setAtIndex(F, d + j, dst.getAtIndex(F, d + j) + src.getAtIndex(F, s + j));
  }

  // grad += lambda * sign(param), sign(0) = 0
  static void l1Subgradient(MemorySegment p, MemorySegment g, float lambda) {
    long n = p.byteSize() / 4;
    for (long i = 0; i < n; i++) g.setAtIndex(F, i, g.getAtIndex(F, i) + lambda * Math.signum(p.getAtIndex(F, i)));
  }

  // d = g + wd*p; buf = first ? d : mu*buf + d; p -= lr*buf
  static void sgdStep(CpuThreads pool, boolean vector, MemorySegment p, MemorySegment g, MemorySegment buf,
      float lr, float mu, float wd, boolean first) {
    blocks(pool, p.byteSize() / 4, (s, e) -> {
      long i = vector ? VectorKernels.sgd(p, g, buf, lr, mu, wd, first, s, e) : s;
      for (; i < e; i++) {
        float pv = p.getAtIndex(F, i);
        float d = g.getAtIndex(F, i) + pv * wd;
        float b = first ? d : buf.getAtIndex(F, i) * mu + d;
        buf.setAtIndex(F, i, b);
        p.setAtIndex(F, i, pv - b * lr);
      }
    });
  }
}
