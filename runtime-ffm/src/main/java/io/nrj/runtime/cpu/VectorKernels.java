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

  private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[L]);

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

  /**
   * {@link DirectConv}'s tile: tile[d + m*ld + j] = sum over q &lt; nq of wpk[wo + q*8 + m] *
   * src[i0 + off[q] + j] for m &lt; 8, j &lt; 32, in q order (the GEMM micro-kernel with B read in
   * place).
   */
  static void direct8x32(float[] src, int i0, int[] off, int nq, float[] wpk, int wo, float[] tile, int d, int ld) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
    for (int q = 0; q < nq; q++) {
      int si = i0 + off[q], ai = wo + q * 8;
      FloatVector b0 = FloatVector.fromArray(S, src, si), b1 = FloatVector.fromArray(S, src, si + L);
      FloatVector a0 = FloatVector.broadcast(S, wpk[ai]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, wpk[ai + 1]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, wpk[ai + 2]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, wpk[ai + 3]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, wpk[ai + 4]);
      c40 = a4.fma(b0, c40);
      c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, wpk[ai + 5]);
      c50 = a5.fma(b0, c50);
      c51 = a5.fma(b1, c51);
      FloatVector a6 = FloatVector.broadcast(S, wpk[ai + 6]);
      c60 = a6.fma(b0, c60);
      c61 = a6.fma(b1, c61);
      FloatVector a7 = FloatVector.broadcast(S, wpk[ai + 7]);
      c70 = a7.fma(b0, c70);
      c71 = a7.fma(b1, c71);
    }
    c00.intoArray(tile, d);
    c01.intoArray(tile, d + L);
    c10.intoArray(tile, d + ld);
    c11.intoArray(tile, d + ld + L);
    c20.intoArray(tile, d + 2 * ld);
    c21.intoArray(tile, d + 2 * ld + L);
    c30.intoArray(tile, d + 3 * ld);
    c31.intoArray(tile, d + 3 * ld + L);
    c40.intoArray(tile, d + 4 * ld);
    c41.intoArray(tile, d + 4 * ld + L);
    c50.intoArray(tile, d + 5 * ld);
    c51.intoArray(tile, d + 5 * ld + L);
    c60.intoArray(tile, d + 6 * ld);
    c61.intoArray(tile, d + 6 * ld + L);
    c70.intoArray(tile, d + 7 * ld);
    c71.intoArray(tile, d + 7 * ld + L);
  }

  /**
   * {@link DirectConv}'s backward-filter tile: 4 x 6 lane partial sums, part[po + (m*6 + j)*16 + l]
   * += dy[.. + dyo[m] + t*16 + l] * x[.. + xo[j] + t*16 + l] over images b &lt; nimg and t &lt;
   * nvec, one fma chain per lane (as {@link DirectConv#filter4x6Scalar}).
   */
  static void filter4x6(
      float[] dy, int dyBase, int dyStride, int[] dyo, float[] x, int xBase, int xStride, int[] xo,
      int nimg, int nvec, float[] part, int po) {
    FloatVector a00 = FloatVector.fromArray(S, part, po), a01 = FloatVector.fromArray(S, part, po + L);
    FloatVector a02 = FloatVector.fromArray(S, part, po + 2 * L), a03 = FloatVector.fromArray(S, part, po + 3 * L);
    FloatVector a04 = FloatVector.fromArray(S, part, po + 4 * L), a05 = FloatVector.fromArray(S, part, po + 5 * L);
    FloatVector a10 = FloatVector.fromArray(S, part, po + 6 * L), a11 = FloatVector.fromArray(S, part, po + 7 * L);
    FloatVector a12 = FloatVector.fromArray(S, part, po + 8 * L), a13 = FloatVector.fromArray(S, part, po + 9 * L);
    FloatVector a14 = FloatVector.fromArray(S, part, po + 10 * L), a15 = FloatVector.fromArray(S, part, po + 11 * L);
    FloatVector a20 = FloatVector.fromArray(S, part, po + 12 * L), a21 = FloatVector.fromArray(S, part, po + 13 * L);
    FloatVector a22 = FloatVector.fromArray(S, part, po + 14 * L), a23 = FloatVector.fromArray(S, part, po + 15 * L);
    FloatVector a24 = FloatVector.fromArray(S, part, po + 16 * L), a25 = FloatVector.fromArray(S, part, po + 17 * L);
    FloatVector a30 = FloatVector.fromArray(S, part, po + 18 * L), a31 = FloatVector.fromArray(S, part, po + 19 * L);
    FloatVector a32 = FloatVector.fromArray(S, part, po + 20 * L), a33 = FloatVector.fromArray(S, part, po + 21 * L);
    FloatVector a34 = FloatVector.fromArray(S, part, po + 22 * L), a35 = FloatVector.fromArray(S, part, po + 23 * L);
    for (int b = 0; b < nimg; b++) {
      int d = dyBase + b * dyStride, xb = xBase + b * xStride;
      int d0 = d + dyo[0], d1 = d + dyo[1], d2 = d + dyo[2], d3 = d + dyo[3];
      int x0 = xb + xo[0], x1 = xb + xo[1], x2 = xb + xo[2], x3 = xb + xo[3], x4 = xb + xo[4], x5 = xb + xo[5];
      for (int t = 0, o = 0; t < nvec; t++, o += L) {
        FloatVector y0 = FloatVector.fromArray(S, dy, d0 + o), y1 = FloatVector.fromArray(S, dy, d1 + o);
        FloatVector y2 = FloatVector.fromArray(S, dy, d2 + o), y3 = FloatVector.fromArray(S, dy, d3 + o);
        FloatVector v = FloatVector.fromArray(S, x, x0 + o);
        a00 = y0.fma(v, a00);
        a10 = y1.fma(v, a10);
        a20 = y2.fma(v, a20);
        a30 = y3.fma(v, a30);
        v = FloatVector.fromArray(S, x, x1 + o);
        a01 = y0.fma(v, a01);
        a11 = y1.fma(v, a11);
        a21 = y2.fma(v, a21);
        a31 = y3.fma(v, a31);
        v = FloatVector.fromArray(S, x, x2 + o);
        a02 = y0.fma(v, a02);
        a12 = y1.fma(v, a12);
        a22 = y2.fma(v, a22);
        a32 = y3.fma(v, a32);
        v = FloatVector.fromArray(S, x, x3 + o);
        a03 = y0.fma(v, a03);
        a13 = y1.fma(v, a13);
        a23 = y2.fma(v, a23);
        a33 = y3.fma(v, a33);
        v = FloatVector.fromArray(S, x, x4 + o);
        a04 = y0.fma(v, a04);
        a14 = y1.fma(v, a14);
        a24 = y2.fma(v, a24);
        a34 = y3.fma(v, a34);
        v = FloatVector.fromArray(S, x, x5 + o);
        a05 = y0.fma(v, a05);
        a15 = y1.fma(v, a15);
        a25 = y2.fma(v, a25);
        a35 = y3.fma(v, a35);
      }
    }
    a00.intoArray(part, po);
    a01.intoArray(part, po + L);
    a02.intoArray(part, po + 2 * L);
    a03.intoArray(part, po + 3 * L);
    a04.intoArray(part, po + 4 * L);
    a05.intoArray(part, po + 5 * L);
    a10.intoArray(part, po + 6 * L);
    a11.intoArray(part, po + 7 * L);
    a12.intoArray(part, po + 8 * L);
    a13.intoArray(part, po + 9 * L);
    a14.intoArray(part, po + 10 * L);
    a15.intoArray(part, po + 11 * L);
    a20.intoArray(part, po + 12 * L);
    a21.intoArray(part, po + 13 * L);
    a22.intoArray(part, po + 14 * L);
    a23.intoArray(part, po + 15 * L);
    a24.intoArray(part, po + 16 * L);
    a25.intoArray(part, po + 17 * L);
    a30.intoArray(part, po + 18 * L);
    a31.intoArray(part, po + 19 * L);
    a32.intoArray(part, po + 20 * L);
    a33.intoArray(part, po + 21 * L);
    a34.intoArray(part, po + 22 * L);
    a35.intoArray(part, po + 23 * L);
  }

  /** {@link Sgemm#addRun} with vector loads and stores; the tail under a mask. */
  static void addRun(float[] tile, int t, MemorySegment seg, long d, int len, boolean add) {
    int j = 0;
    for (; j + L <= len; j += L) {
      FloatVector v = FloatVector.fromArray(S, tile, t + j);
      long byteOff = (d + j) * Float.BYTES;
      if (add) v = v.add(FloatVector.fromMemorySegment(S, seg, byteOff, NATIVE));
      v.intoMemorySegment(seg, byteOff, NATIVE);
    }
    if (j < len) {
      VectorMask<Float> m = S.indexInRange(j, len);
      FloatVector v = FloatVector.fromArray(S, tile, t + j, m);
      long byteOff = (d + j) * Float.BYTES;
      if (add) v = v.add(FloatVector.fromMemorySegment(S, seg, byteOff, NATIVE, m));
      v.intoMemorySegment(seg, byteOff, NATIVE, m);
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
    float[] t = LANES.get(); // not a new array per call: C2 does not scalar-replace it
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

  /** {sum (x - k), sum (x - k)^2} over the plane, added into out[0..1]. */
  static void shiftedSums(MemorySegment x, long off, int n, float k, double[] out) {
    FloatVector a = FloatVector.zero(S), b = a;
    long i = off, e = bound(off, off + n);
    for (; i < e; i += L) {
      FloatVector d = ld(x, i).sub(k);
      a = a.add(d);
      b = d.fma(d, b);
    }
    double sa = lanes(a), sb = lanes(b);
    for (; i < off + n; i++) {
      double d = x.getAtIndex(CpuBackend.F, i) - k;
      sa += d;
      sb += d * d;
    }
    out[0] += sa;
    out[1] += sb;
  }

  /** y = x * scale + shift, then max(., 0) when relu, over the plane. */
  static void affineRelu(MemorySegment x, MemorySegment y, long off, int n, float scale, float shift, boolean relu) {
    long i = off, e = bound(off, off + n);
    FloatVector z = FloatVector.zero(S);
    if (relu) {
      for (; i < e; i += L) st(ld(x, i).fma(scale, shift).max(z), y, i);
    } else {
      for (; i < e; i += L) st(ld(x, i).fma(scale, shift), y, i);
    }
    for (; i < off + n; i++) {
      float v = Math.fma(x.getAtIndex(CpuBackend.F, i), scale, shift);
      y.setAtIndex(CpuBackend.F, i, relu ? Math.max(v, 0f) : v);
    }
  }

  /** {sum g, sum g * (x - mean)} with g = dy masked by y &gt; 0 when relu, added into out[0..1]. */
  static void maskedDySums(MemorySegment x, MemorySegment y, MemorySegment dy, long off, int n, float mean, boolean relu, double[] out) {
    FloatVector a = FloatVector.zero(S), b = a, z = a;
    long i = off, e = bound(off, off + n);
    for (; i < e; i += L) {
      FloatVector g = ld(dy, i);
      if (relu) g = z.blend(g, ld(y, i).compare(VectorOperators.GT, z));
      a = a.add(g);
      b = ld(x, i).sub(mean).fma(g, b);
    }
    double sa = lanes(a), sb = lanes(b);
    for (; i < off + n; i++) {
      float g = !relu || y.getAtIndex(CpuBackend.F, i) > 0f ? dy.getAtIndex(CpuBackend.F, i) : 0f;
      sa += g;
      sb += (double) (x.getAtIndex(CpuBackend.F, i) - mean) * g;
    }
    out[0] += sa;
    out[1] += sb;
  }

  /** dx = k*g + c0 + c1*(x - mean) with g = dy masked by y &gt; 0 when relu (overwrites dx). */
  static void maskedBnApply(
      MemorySegment x, MemorySegment y, MemorySegment dy, MemorySegment dx, long off, int n, float mean, float k,
      float c0, float c1, boolean relu) {
    long i = off, e = bound(off, off + n);
    FloatVector z = FloatVector.zero(S), c1v = FloatVector.broadcast(S, c1);
    for (; i < e; i += L) {
      FloatVector g = ld(dy, i);
      if (relu) g = z.blend(g, ld(y, i).compare(VectorOperators.GT, z));
      st(ld(x, i).sub(mean).fma(c1v, g.fma(k, c0)), dx, i);
    }
    for (; i < off + n; i++) {
      float g = !relu || y.getAtIndex(CpuBackend.F, i) > 0f ? dy.getAtIndex(CpuBackend.F, i) : 0f;
      dx.setAtIndex(CpuBackend.F, i, Math.fma(x.getAtIndex(CpuBackend.F, i) - mean, c1, Math.fma(g, k, c0)));
    }
  }

  /** dst[d + y*dstStride + j] = seg[src + y*srcStride + j] for y &lt; rows, j &lt; len (floats). */
  static void copyRowsIn(MemorySegment seg, long src, int srcStride, int rows, int len, float[] dst, int d, int dstStride) {
    int full = len / L * L;
    VectorMask<Float> tail = S.indexInRange(full, len);
    for (int y = 0; y < rows; y++) {
      long s = (src + (long) y * srcStride) * Float.BYTES;
      int o = d + y * dstStride;
      int j = 0;
      for (; j < full; j += L) FloatVector.fromMemorySegment(S, seg, s + 4L * j, NATIVE).intoArray(dst, o + j);
      if (j < len) FloatVector.fromMemorySegment(S, seg, s + 4L * j, NATIVE, tail).intoArray(dst, o + j, tail);
    }
  }

  /** seg[o + y*segStride + j] (+)= a[s + y*aStride + j] for y &lt; rows, j &lt; len (floats). */
  static void copyRowsOut(float[] a, int s, int aStride, int rows, int len, MemorySegment seg, long o, long segStride, boolean add) {
    int full = len / L * L;
    VectorMask<Float> tail = S.indexInRange(full, len);
    for (int y = 0; y < rows; y++) {
      int as = s + y * aStride;
      long d = (o + y * segStride) * Float.BYTES;
      int j = 0;
      for (; j < full; j += L) {
        FloatVector v = FloatVector.fromArray(S, a, as + j);
        if (add) v = v.add(FloatVector.fromMemorySegment(S, seg, d + 4L * j, NATIVE));
        v.intoMemorySegment(seg, d + 4L * j, NATIVE);
      }
      if (j < len) {
        FloatVector v = FloatVector.fromArray(S, a, as + j, tail);
        if (add) v = v.add(FloatVector.fromMemorySegment(S, seg, d + 4L * j, NATIVE, tail));
        v.intoMemorySegment(seg, d + 4L * j, NATIVE, tail);
      }
    }
  }

  /**
   * {@link PointwiseConv}'s tile: tile[m*32 + j] = sum over q &lt; nq of wpk[wo + q*8 + m] * in[i +
   * q*ldi + j] for m &lt; 8, j &lt; 32 (floats in the segment), in q order; pixels past cols are not
   * read (their tile values are 0).
   */
  static void pointwise8x32(MemorySegment in, long i, long ldi, int nq, float[] wpk, int wo, int cols, float[] tile) {
    VectorMask<Float> m0 = S.indexInRange(0, cols), m1 = S.indexInRange(L, cols);
    boolean full = cols == 2 * L;
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
    long bytes = i * Float.BYTES, step = ldi * Float.BYTES;
    for (int q = 0; q < nq; q++, bytes += step) {
      int ai = wo + q * 8;
      FloatVector b0, b1;
      if (full) {
        b0 = FloatVector.fromMemorySegment(S, in, bytes, NATIVE);
        b1 = FloatVector.fromMemorySegment(S, in, bytes + 4L * L, NATIVE);
      } else {
        b0 = FloatVector.fromMemorySegment(S, in, bytes, NATIVE, m0);
        b1 = FloatVector.fromMemorySegment(S, in, bytes + 4L * L, NATIVE, m1);
      }
      FloatVector a0 = FloatVector.broadcast(S, wpk[ai]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, wpk[ai + 1]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, wpk[ai + 2]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, wpk[ai + 3]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, wpk[ai + 4]);
      c40 = a4.fma(b0, c40);
      c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, wpk[ai + 5]);
      c50 = a5.fma(b0, c50);
      c51 = a5.fma(b1, c51);
      FloatVector a6 = FloatVector.broadcast(S, wpk[ai + 6]);
      c60 = a6.fma(b0, c60);
      c61 = a6.fma(b1, c61);
      FloatVector a7 = FloatVector.broadcast(S, wpk[ai + 7]);
      c70 = a7.fma(b0, c70);
      c71 = a7.fma(b1, c71);
    }
    c00.intoArray(tile, 0);
    c01.intoArray(tile, L);
    c10.intoArray(tile, 32);
    c11.intoArray(tile, 32 + L);
    c20.intoArray(tile, 64);
    c21.intoArray(tile, 64 + L);
    c30.intoArray(tile, 96);
    c31.intoArray(tile, 96 + L);
    c40.intoArray(tile, 128);
    c41.intoArray(tile, 128 + L);
    c50.intoArray(tile, 160);
    c51.intoArray(tile, 160 + L);
    c60.intoArray(tile, 192);
    c61.intoArray(tile, 192 + L);
    c70.intoArray(tile, 224);
    c71.intoArray(tile, 224 + L);
  }

  /**
   * {@link PointwiseConv}'s backward-filter tile: part[po + (m*6 + j)*16 + l] += dy[dyo[m] +
   * b*dyStride + t*16 + l] * x[xo[j] + b*xStride + t*16 + l] over images b &lt; nimg and t &lt;
   * nvec (floats in the segments), one fma chain per lane.
   */
  static void pointwiseFilter4x6(
      MemorySegment dy, long[] dyo, long dyStride, MemorySegment x, long[] xo, long xStride, int nimg, int nvec, float[] part, int po) {
    FloatVector a00 = FloatVector.fromArray(S, part, po), a01 = FloatVector.fromArray(S, part, po + L);
    FloatVector a02 = FloatVector.fromArray(S, part, po + 2 * L), a03 = FloatVector.fromArray(S, part, po + 3 * L);
    FloatVector a04 = FloatVector.fromArray(S, part, po + 4 * L), a05 = FloatVector.fromArray(S, part, po + 5 * L);
    FloatVector a10 = FloatVector.fromArray(S, part, po + 6 * L), a11 = FloatVector.fromArray(S, part, po + 7 * L);
    FloatVector a12 = FloatVector.fromArray(S, part, po + 8 * L), a13 = FloatVector.fromArray(S, part, po + 9 * L);
    FloatVector a14 = FloatVector.fromArray(S, part, po + 10 * L), a15 = FloatVector.fromArray(S, part, po + 11 * L);
    FloatVector a20 = FloatVector.fromArray(S, part, po + 12 * L), a21 = FloatVector.fromArray(S, part, po + 13 * L);
    FloatVector a22 = FloatVector.fromArray(S, part, po + 14 * L), a23 = FloatVector.fromArray(S, part, po + 15 * L);
    FloatVector a24 = FloatVector.fromArray(S, part, po + 16 * L), a25 = FloatVector.fromArray(S, part, po + 17 * L);
    FloatVector a30 = FloatVector.fromArray(S, part, po + 18 * L), a31 = FloatVector.fromArray(S, part, po + 19 * L);
    FloatVector a32 = FloatVector.fromArray(S, part, po + 20 * L), a33 = FloatVector.fromArray(S, part, po + 21 * L);
    FloatVector a34 = FloatVector.fromArray(S, part, po + 22 * L), a35 = FloatVector.fromArray(S, part, po + 23 * L);
    for (int b = 0; b < nimg; b++) {
      long d0 = 4 * (dyo[0] + b * dyStride), d1 = 4 * (dyo[1] + b * dyStride), d2 = 4 * (dyo[2] + b * dyStride), d3 = 4 * (dyo[3] + b * dyStride);
      long x0 = 4 * (xo[0] + b * xStride), x1 = 4 * (xo[1] + b * xStride), x2 = 4 * (xo[2] + b * xStride);
      long x3 = 4 * (xo[3] + b * xStride), x4 = 4 * (xo[4] + b * xStride), x5 = 4 * (xo[5] + b * xStride);
      for (long t = 0, o = 0; t < nvec; t++, o += 4L * L) {
        FloatVector y0 = FloatVector.fromMemorySegment(S, dy, d0 + o, NATIVE), y1 = FloatVector.fromMemorySegment(S, dy, d1 + o, NATIVE);
        FloatVector y2 = FloatVector.fromMemorySegment(S, dy, d2 + o, NATIVE), y3 = FloatVector.fromMemorySegment(S, dy, d3 + o, NATIVE);
        FloatVector v = FloatVector.fromMemorySegment(S, x, x0 + o, NATIVE);
        a00 = y0.fma(v, a00);
        a10 = y1.fma(v, a10);
        a20 = y2.fma(v, a20);
        a30 = y3.fma(v, a30);
        v = FloatVector.fromMemorySegment(S, x, x1 + o, NATIVE);
        a01 = y0.fma(v, a01);
        a11 = y1.fma(v, a11);
        a21 = y2.fma(v, a21);
        a31 = y3.fma(v, a31);
        v = FloatVector.fromMemorySegment(S, x, x2 + o, NATIVE);
        a02 = y0.fma(v, a02);
        a12 = y1.fma(v, a12);
        a22 = y2.fma(v, a22);
        a32 = y3.fma(v, a32);
        v = FloatVector.fromMemorySegment(S, x, x3 + o, NATIVE);
        a03 = y0.fma(v, a03);
        a13 = y1.fma(v, a13);
        a23 = y2.fma(v, a23);
        a33 = y3.fma(v, a33);
        v = FloatVector.fromMemorySegment(S, x, x4 + o, NATIVE);
        a04 = y0.fma(v, a04);
        a14 = y1.fma(v, a14);
        a24 = y2.fma(v, a24);
        a34 = y3.fma(v, a34);
        v = FloatVector.fromMemorySegment(S, x, x5 + o, NATIVE);
        a05 = y0.fma(v, a05);
        a15 = y1.fma(v, a15);
        a25 = y2.fma(v, a25);
        a35 = y3.fma(v, a35);
      }
    }
    a00.intoArray(part, po);
    a01.intoArray(part, po + L);
    a02.intoArray(part, po + 2 * L);
    a03.intoArray(part, po + 3 * L);
    a04.intoArray(part, po + 4 * L);
    a05.intoArray(part, po + 5 * L);
    a10.intoArray(part, po + 6 * L);
    a11.intoArray(part, po + 7 * L);
    a12.intoArray(part, po + 8 * L);
    a13.intoArray(part, po + 9 * L);
    a14.intoArray(part, po + 10 * L);
    a15.intoArray(part, po + 11 * L);
    a20.intoArray(part, po + 12 * L);
    a21.intoArray(part, po + 13 * L);
    a22.intoArray(part, po + 14 * L);
    a23.intoArray(part, po + 15 * L);
    a24.intoArray(part, po + 16 * L);
    a25.intoArray(part, po + 17 * L);
    a30.intoArray(part, po + 18 * L);
    a31.intoArray(part, po + 19 * L);
    a32.intoArray(part, po + 20 * L);
    a33.intoArray(part, po + 21 * L);
    a34.intoArray(part, po + 22 * L);
    a35.intoArray(part, po + 23 * L);
  }
}
