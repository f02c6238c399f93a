package io.nrj.runtime.cpu;

import static io.nrj.runtime.cpu.Sgemm.MR;
import static io.nrj.runtime.cpu.Sgemm.NR;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernels (512-bit: 16 float lanes). Only this class touches
 * jdk.incubator.vector, so the scalar path runs on JVMs without the module. Each lane does the same
 * fma sequence as the scalar fallback, so both paths give identical bits.
 */
final class VectorKernels {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
  static final int L = 16;
  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

  private VectorKernels() {}

  /** True when the platform's preferred vectors are 512 bits (else the scalar path is faster). */
  static boolean usable() {
    return FloatVector.SPECIES_PREFERRED.length() == L && MR == 8 && NR == 2 * L;
  }

  // a: MR-row panel (kc, MR) at ao; b: NR-column panel (kc, NR) at bo; tile (MR, NR) = a^T b
  static void gemm8x32(float[] a, int ao, float[] b, int bo, int kc, float[] tile) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
    for (int p = 0; p < kc; p++) {
      int bi = bo + p * NR, ai = ao + p * MR;
      FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + L);
      FloatVector a0 = FloatVector.broadcast(S, a[ai]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, a[ai + 1]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, a[ai + 2]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, a[ai + 3]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, a[ai + 4]);
      c40 = a4.fma(b0, c40);
      c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, a[ai + 5]);
      c50 = a5.fma(b0, c50);
      c51 = a5.fma(b1, c51);
      FloatVector a6 = FloatVector.broadcast(S, a[ai + 6]);
      c60 = a6.fma(b0, c60);
      c61 = a6.fma(b1, c61);
      FloatVector a7 = FloatVector.broadcast(S, a[ai + 7]);
      c70 = a7.fma(b0, c70);
      c71 = a7.fma(b1, c71);
    }
    c00.intoArray(tile, 0);
    c01.intoArray(tile, L);
    c10.intoArray(tile, NR);
    c11.intoArray(tile, NR + L);
    c20.intoArray(tile, 2 * NR);
    c21.intoArray(tile, 2 * NR + L);
    c30.intoArray(tile, 3 * NR);
    c31.intoArray(tile, 3 * NR + L);
    c40.intoArray(tile, 4 * NR);
    c41.intoArray(tile, 4 * NR + L);
    c50.intoArray(tile, 5 * NR);
    c51.intoArray(tile, 5 * NR + L);
    c60.intoArray(tile, 6 * NR);
    c61.intoArray(tile, 6 * NR + L);
    c70.intoArray(tile, 7 * NR);
    c71.intoArray(tile, 7 * NR + L);
  }

  /** {@link Sgemm#addRun} with vector loads and stores. */
  static void addRun(float[] tile, int t, MemorySegment seg, long d, int len, boolean add) {
    int j = 0;
    for (; j + L <= len; j += L) {
      FloatVector v = FloatVector.fromArray(S, tile, t + j);
      long byteOff = (d + j) * Float.BYTES;
      if (add) v = v.add(FloatVector.fromMemorySegment(S, seg, byteOff, NATIVE));
      v.intoMemorySegment(seg, byteOff, NATIVE);
    }
    for (; j < len; j++) {
      float v = tile[t + j];
      if (add) v += seg.getAtIndex(CpuBackend.F, d + j);
      seg.setAtIndex(CpuBackend.F, d + j, v);
    }
  }

  // ---- element-wise over [from, to) of float segments (same results as the scalar loops) ----

  static long bound(long from, long to) {
    return from + (to - from) / L * L;
  }

  static FloatVector ld(MemorySegment m, long i) {
    return FloatVector.fromMemorySegment(S, m, i * Float.BYTES, NATIVE);
  }

  static void st(FloatVector v, MemorySegment m, long i) {
    v.intoMemorySegment(m, i * Float.BYTES, NATIVE);
  }

  // y = max(x, 0)
  static long relu(MemorySegment x, MemorySegment y, long from, long to) {
    long i = from, e = bound(from, to);
    FloatVector z = FloatVector.zero(S);
    for (; i < e; i += L) st(ld(x, i).max(z), y, i);
    return i;
  }

  // dx += y > 0 ? dy : 0
  static long reluBackward(MemorySegment y, MemorySegment dy, MemorySegment dx, long from, long to) {
    long i = from, e = bound(from, to);
    FloatVector z = FloatVector.zero(S);
    for (; i < e; i += L) {
      VectorMask<Float> pos = ld(y, i).compare(VectorOperators.GT, z);
      st(ld(dx, i).add(ld(dy, i), pos), dx, i);
    }
    return i;
  }

  // y = a + b
  static long add(MemorySegment a, MemorySegment b, MemorySegment y, long from, long to) {
    long i = from, e = bound(from, to);
    for (; i < e; i += L) st(ld(a, i).add(ld(b, i)), y, i);
    return i;
  }

  // dst += alpha * src (as alpha*src + dst, one rounding per product like the scalar loop's fma-free form)
  static long axpy(float alpha, MemorySegment src, MemorySegment dst, long from, long to) {
    long i = from, e = bound(from, to);
    for (; i < e; i += L) st(ld(src, i).mul(alpha).add(ld(dst, i)), dst, i);
    return i;
  }

  // t *= mask
  static long multiply(MemorySegment t, MemorySegment m, long from, long to) {
    long i = from, e = bound(from, to);
    for (; i < e; i += L) st(ld(t, i).mul(ld(m, i)), t, i);
    return i;
  }

  // d = g + wd*p; buf = first ? d : mu*buf + d; p -= lr*buf
  static long sgd(MemorySegment p, MemorySegment g, MemorySegment buf, float lr, float mu, float wd, boolean first, long from, long to) {
    long i = from, e = bound(from, to);
    for (; i < e; i += L) {
      FloatVector pv = ld(p, i);
      FloatVector d = ld(g, i).add(pv.mul(wd));
      FloatVector bv = first ? d : ld(buf, i).mul(mu).add(d);
      st(bv, buf, i);
      st(pv.sub(bv.mul(lr)), p, i);
    }
    return i;
  }

  // ---- batch-norm helpers over one contiguous plane x[off, off+n) ----

  /**
   * The lanes of v summed in lane order, in double. Not reduceLanes(ADD): its float order is
   * unspecified and differs between the interpreter and C2, which would make results depend on
   * JIT timing.
   */
  static double lanes(FloatVector v) {
    float[] t = new float[L];
    v.intoArray(t, 0);
    double s = 0;
    for (float f : t) s += f;
    return s;
  }

  /** sum of x[off, off+n): 16 lane partial sums, then the lanes in order, then the tail. */
  static double sum(MemorySegment x, long off, int n) {
    FloatVector acc = FloatVector.zero(S);
    long i = off, e = bound(off, off + n);
    for (; i < e; i += L) acc = acc.add(ld(x, i));
    double s = lanes(acc);
    for (; i < off + n; i++) s += x.getAtIndex(CpuBackend.F, i);
    return s;
  }

  /** sum of (x - mean)^2 over the plane. */
  static double sumSqDev(MemorySegment x, long off, int n, float mean) {
    FloatVector acc = FloatVector.zero(S);
    long i = off, e = bound(off, off + n);
    for (; i < e; i += L) {
      FloatVector d = ld(x, i).sub(mean);
      acc = d.fma(d, acc);
    }
    double s = lanes(acc);
    for (; i < off + n; i++) {
      double d = x.getAtIndex(CpuBackend.F, i) - mean;
      s += d * d;
    }
    return s;
  }

  /** y = x * scale + shift over the plane. */
  static void affine(MemorySegment x, MemorySegment y, long off, int n, float scale, float shift) {
    long i = off, e = bound(off, off + n);
    for (; i < e; i += L) st(ld(x, i).fma(scale, shift), y, i);
    for (; i < off + n; i++) y.setAtIndex(CpuBackend.F, i, Math.fma(x.getAtIndex(CpuBackend.F, i), scale, shift));
  }

  /** {sum dy, sum dy * (x - mean)} over the plane, added into out[0..1]. */
  static void dySums(MemorySegment x, MemorySegment dy, long off, int n, float mean, double[] out) {
    FloatVector a = FloatVector.zero(S), b = a;
    long i = off, e = bound(off, off + n);
    for (; i < e; i += L) {
      FloatVector g = ld(dy, i);
      a = a.add(g);
      b = ld(x, i).sub(mean).fma(g, b);
    }
    double sa = lanes(a), sb = lanes(b);
    for (; i < off + n; i++) {
      float g = dy.getAtIndex(CpuBackend.F, i);
      sa += g;
      sb += (double) (x.getAtIndex(CpuBackend.F, i) - mean) * g;
    }
    out[0] += sa;
    out[1] += sb;
  }

  /** dx += k*dy + c0 + c1*(x - mean) over the plane. */
  static void bnApply(MemorySegment x, MemorySegment dy, MemorySegment dx, long off, int n, float mean, float k, float c0, float c1) {
    long i = off, e = bound(off, off + n);
    for (; i < e; i += L) {
      FloatVector v = ld(x, i).sub(mean).fma(FloatVector.broadcast(S, c1), ld(dy, i).fma(k, c0));
      st(ld(dx, i).add(v), dx, i);
    }
    for (; i < off + n; i++) {
      float v = Math.fma(x.getAtIndex(CpuBackend.F, i) - mean, c1, Math.fma(dy.getAtIndex(CpuBackend.F, i), k, c0));
      dx.setAtIndex(CpuBackend.F, i, dx.getAtIndex(CpuBackend.F, i) + v);
    }
  }
}
