package io.nrj.runtime.cpu;

import static io.nrj.runtime.cpu.Sgemm.MR;
import static io.nrj.runtime.cpu.Sgemm.NR;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernels (512-bit: 16 float lanes). Only this class touches
 * jdk.incubator.vector, so the scalar path runs on JVMs without the module. Each lane does the same
 * fma sequence as the scalar fallback, so both paths give identical bits.
 */
final class VectorKernels {
  static final VectorSpecies<Float> S = FloatVector.SPECIES_512;

  static final int L = 16;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_512;
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
   * {@link #direct8x32} for a tile that is one whole output row of 32 pixels, written straight from
   * the registers into out's 8 planes: out[o + m*plane + j] = sum over q &lt; nq of wpk[wo + q*8 + m]
   * * src[i0 + off[q] + j], m &lt; 8, j &lt; 32, in q order (the same fma chains as a tile of {@link
   * #direct8x32} from q = 0, the same bits). Adding into out is {@link #direct8x32StoreAdd}.
   */
  static void direct8x32Store(float[] src, int i0, int[] off, int nq, float[] wpk, int wo, MemorySegment out, long o, long plane) {
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
    long d = o * Float.BYTES, row = plane * Float.BYTES, half = 4L * L;
    c00.intoMemorySegment(out, d, NATIVE);
    c01.intoMemorySegment(out, d + half, NATIVE);
    c10.intoMemorySegment(out, d + row, NATIVE);
    c11.intoMemorySegment(out, d + row + half, NATIVE);
    c20.intoMemorySegment(out, d + 2 * row, NATIVE);
    c21.intoMemorySegment(out, d + 2 * row + half, NATIVE);
    c30.intoMemorySegment(out, d + 3 * row, NATIVE);
    c31.intoMemorySegment(out, d + 3 * row + half, NATIVE);
    c40.intoMemorySegment(out, d + 4 * row, NATIVE);
    c41.intoMemorySegment(out, d + 4 * row + half, NATIVE);
    c50.intoMemorySegment(out, d + 5 * row, NATIVE);
    c51.intoMemorySegment(out, d + 5 * row + half, NATIVE);
    c60.intoMemorySegment(out, d + 6 * row, NATIVE);
    c61.intoMemorySegment(out, d + 6 * row + half, NATIVE);
    c70.intoMemorySegment(out, d + 7 * row, NATIVE);
    c71.intoMemorySegment(out, d + 7 * row + half, NATIVE);
  }

  /** {@link #direct8x32Store} adding into out: a method of its own (see {@link #pointwise8x32StoreAdd}). */
  static void direct8x32StoreAdd(float[] src, int i0, int[] off, int nq, float[] wpk, int wo, MemorySegment out, long o, long plane) {
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
    long d = o * Float.BYTES, row = plane * Float.BYTES, half = 4L * L;
    c00.add(FloatVector.fromMemorySegment(S, out, d, NATIVE)).intoMemorySegment(out, d, NATIVE);
    c01.add(FloatVector.fromMemorySegment(S, out, d + half, NATIVE)).intoMemorySegment(out, d + half, NATIVE);
    c10.add(FloatVector.fromMemorySegment(S, out, d + row, NATIVE)).intoMemorySegment(out, d + row, NATIVE);
    c11.add(FloatVector.fromMemorySegment(S, out, d + row + half, NATIVE)).intoMemorySegment(out, d + row + half, NATIVE);
    c20.add(FloatVector.fromMemorySegment(S, out, d + 2 * row, NATIVE)).intoMemorySegment(out, d + 2 * row, NATIVE);
    c21.add(FloatVector.fromMemorySegment(S, out, d + 2 * row + half, NATIVE)).intoMemorySegment(out, d + 2 * row + half, NATIVE);
    c30.add(FloatVector.fromMemorySegment(S, out, d + 3 * row, NATIVE)).intoMemorySegment(out, d + 3 * row, NATIVE);
    c31.add(FloatVector.fromMemorySegment(S, out, d + 3 * row + half, NATIVE)).intoMemorySegment(out, d + 3 * row + half, NATIVE);
    c40.add(FloatVector.fromMemorySegment(S, out, d + 4 * row, NATIVE)).intoMemorySegment(out, d + 4 * row, NATIVE);
    c41.add(FloatVector.fromMemorySegment(S, out, d + 4 * row + half, NATIVE)).intoMemorySegment(out, d + 4 * row + half, NATIVE);
    c50.add(FloatVector.fromMemorySegment(S, out, d + 5 * row, NATIVE)).intoMemorySegment(out, d + 5 * row, NATIVE);
    c51.add(FloatVector.fromMemorySegment(S, out, d + 5 * row + half, NATIVE)).intoMemorySegment(out, d + 5 * row + half, NATIVE);
    c60.add(FloatVector.fromMemorySegment(S, out, d + 6 * row, NATIVE)).intoMemorySegment(out, d + 6 * row, NATIVE);
    c61.add(FloatVector.fromMemorySegment(S, out, d + 6 * row + half, NATIVE)).intoMemorySegment(out, d + 6 * row + half, NATIVE);
    c70.add(FloatVector.fromMemorySegment(S, out, d + 7 * row, NATIVE)).intoMemorySegment(out, d + 7 * row, NATIVE);
    c71.add(FloatVector.fromMemorySegment(S, out, d + 7 * row + half, NATIVE)).intoMemorySegment(out, d + 7 * row + half, NATIVE);
  }

  /**
   * {@link DirectConv}'s tile: tile[d + m*ld + j] (+)= sum over q in [q0, q1) of wpk[wo + q*8 + m]
   * * src[i0 + off[q] + j] for m &lt; 8, j &lt; 32, in q order (the GEMM micro-kernel with B read
   * in place); for q0 &gt; 0 the sums continue from the tile's values.
   */
  static void direct8x32(float[] src, int i0, int[] off, int q0, int q1, float[] wpk, int wo, float[] tile, int d, int ld) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
    if (q0 > 0) { // continue the sums of an earlier block of q (exact: floats stored and reloaded)
      c00 = FloatVector.fromArray(S, tile, d);
      c01 = FloatVector.fromArray(S, tile, d + L);
      c10 = FloatVector.fromArray(S, tile, d + ld);
      c11 = FloatVector.fromArray(S, tile, d + ld + L);
      c20 = FloatVector.fromArray(S, tile, d + 2 * ld);
      c21 = FloatVector.fromArray(S, tile, d + 2 * ld + L);
      c30 = FloatVector.fromArray(S, tile, d + 3 * ld);
      c31 = FloatVector.fromArray(S, tile, d + 3 * ld + L);
      c40 = FloatVector.fromArray(S, tile, d + 4 * ld);
      c41 = FloatVector.fromArray(S, tile, d + 4 * ld + L);
      c50 = FloatVector.fromArray(S, tile, d + 5 * ld);
      c51 = FloatVector.fromArray(S, tile, d + 5 * ld + L);
      c60 = FloatVector.fromArray(S, tile, d + 6 * ld);
      c61 = FloatVector.fromArray(S, tile, d + 6 * ld + L);
      c70 = FloatVector.fromArray(S, tile, d + 7 * ld);
      c71 = FloatVector.fromArray(S, tile, d + 7 * ld + L);
    }
    for (int q = q0; q < q1; q++) {
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
   * += dy[.. + dyo[m] + t*16 + l] * x[.. + xo[j] + t*16 + (t/2)*skip + l] over images b &lt; nimg
   * and t &lt; nvec, one fma chain per lane (as {@link DirectConv#filter4x6Scalar}). skip is 0 for
   * the flat padded layout (dy widened to x's padded rows); on maps exactly 32 wide the walk goes
   * by output rows, dy as it is (rows of 32) against x's padded rows of wp, with skip = wp - 32.
   */
  static void filter4x6(
      float[] dy, int dyBase, int dyStride, int[] dyo, float[] x, int xBase, int xStride, int[] xo,
      int nimg, int nvec, int skip, float[] part, int po) {
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
        int ox = o + (t >> 1) * skip; // by rows: vector t is row t/2, columns 16*(t%2) on
        FloatVector y0 = FloatVector.fromArray(S, dy, d0 + o), y1 = FloatVector.fromArray(S, dy, d1 + o);
        FloatVector y2 = FloatVector.fromArray(S, dy, d2 + o), y3 = FloatVector.fromArray(S, dy, d3 + o);
        FloatVector v = FloatVector.fromArray(S, x, x0 + ox);
        a00 = y0.fma(v, a00);
        a10 = y1.fma(v, a10);
        a20 = y2.fma(v, a20);
        a30 = y3.fma(v, a30);
        v = FloatVector.fromArray(S, x, x1 + ox);
        a01 = y0.fma(v, a01);
        a11 = y1.fma(v, a11);
        a21 = y2.fma(v, a21);
        a31 = y3.fma(v, a31);
        v = FloatVector.fromArray(S, x, x2 + ox);
        a02 = y0.fma(v, a02);
        a12 = y1.fma(v, a12);
        a22 = y2.fma(v, a22);
        a32 = y3.fma(v, a32);
        v = FloatVector.fromArray(S, x, x3 + ox);
        a03 = y0.fma(v, a03);
        a13 = y1.fma(v, a13);
        a23 = y2.fma(v, a23);
        a33 = y3.fma(v, a33);
        v = FloatVector.fromArray(S, x, x4 + ox);
        a04 = y0.fma(v, a04);
        a14 = y1.fma(v, a14);
        a24 = y2.fma(v, a24);
        a34 = y3.fma(v, a34);
        v = FloatVector.fromArray(S, x, x5 + ox);
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
    // one loop per case: a vector chosen by a branch (a phi of two vectors) can be boxed by C2 once
    // the method has run both ways (see maskedDyLaneSums)
    if (add) {
      for (; j + L <= len; j += L) {
        long byteOff = (d + j) * Float.BYTES;
        FloatVector.fromArray(S, tile, t + j).add(FloatVector.fromMemorySegment(S, seg, byteOff, NATIVE)).intoMemorySegment(seg, byteOff, NATIVE);
      }
    } else {
      for (; j + L <= len; j += L) FloatVector.fromArray(S, tile, t + j).intoMemorySegment(seg, (d + j) * Float.BYTES, NATIVE);
    }
    if (j < len) {
      VectorMask<Float> m = S.indexInRange(j, len);
      long byteOff = (d + j) * Float.BYTES;
      if (add) {
        FloatVector.fromArray(S, tile, t + j, m).add(FloatVector.fromMemorySegment(S, seg, byteOff, NATIVE, m)).intoMemorySegment(seg, byteOff, NATIVE, m);
      } else {
        FloatVector.fromArray(S, tile, t + j, m).intoMemorySegment(seg, byteOff, NATIVE, m);
      }
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

  // g = y > 0 ? g : 0
  static long reluMask(MemorySegment y, MemorySegment g, long from, long to) {
    long i = from, e = bound(from, to);
    FloatVector z = FloatVector.zero(S);
    for (; i < e; i += L) {
      VectorMask<Float> pos = ld(y, i).compare(VectorOperators.GT, z);
      st(z.blend(ld(g, i), pos), g, i);
    }
    return i;
  }

  // y = a + b
  static long add(MemorySegment a, MemorySegment b, MemorySegment y, long from, long to) {
    long i = from, e = bound(from, to);
    for (; i < e; i += L) st(ld(a, i).add(ld(b, i)), y, i);
    return i;
  }

  // y = max(a + b, 0)
  static long addRelu(MemorySegment a, MemorySegment b, MemorySegment y, long from, long to) {
    long i = from, e = bound(from, to);
    FloatVector z = FloatVector.zero(S);
    for (; i < e; i += L) st(ld(a, i).add(ld(b, i)).max(z), y, i);
    return i;
  }

  // g = y > 0 ? g : 0; dst = g, or dst += g
  static long reluMaskCopy(MemorySegment y, MemorySegment g, MemorySegment dst, boolean overwrite, long from, long to) {
    long i = from, e = bound(from, to);
    FloatVector z = FloatVector.zero(S);
    if (overwrite) { // one loop per case (see maskedDyLaneSums)
      for (; i < e; i += L) {
        FloatVector v = z.blend(ld(g, i), ld(y, i).compare(VectorOperators.GT, z));
        st(v, g, i);
        st(v, dst, i);
      }
    } else {
      for (; i < e; i += L) {
        FloatVector v = z.blend(ld(g, i), ld(y, i).compare(VectorOperators.GT, z));
        st(v, g, i);
        st(v.add(ld(dst, i)), dst, i);
      }
    }
    return i;
  }

  // dst += alpha * src (as alpha*src + dst, one rounding per product like the scalar loop's fma-free form)
  static long axpy(float alpha, MemorySegment src, MemorySegment dst, long from, long to) {
    long i = from, e = bound(from, to);
    for (; i < e; i += L) st(ld(src, i).mul(alpha).add(ld(dst, i)), dst, i);
    return i;
  }

  // dst[i] += d for i in [from, to) in whole vectors; returns where the scalar rest starts
  static long addScalar(float d, MemorySegment dst, long from, long to) {
    long i = from, e = bound(from, to);
    FloatVector v = FloatVector.broadcast(S, d);
    for (; i < e; i += L) st(ld(dst, i).add(v), dst, i);
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
    if (first) { // one loop per case (see addRun)
      for (; i < e; i += L) {
        FloatVector pv = ld(p, i);
        FloatVector d = ld(g, i).add(pv.mul(wd));
        st(d, buf, i);
        st(pv.sub(d.mul(lr)), p, i);
      }
    } else {
      for (; i < e; i += L) {
        FloatVector pv = ld(p, i);
        FloatVector bv = ld(buf, i).mul(mu).add(ld(g, i).add(pv.mul(wd)));
        st(bv, buf, i);
        st(pv.sub(bv.mul(lr)), p, i);
      }
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

  /**
   * acc[o + l] += sum of (x - k) and acc[o + 16 + l] += sum of (x - k)^2 over the plane's elements
   * l, l + 16, l + 32, ..., each lane's plane sum in float (fma for the squares), added into its
   * double lane. No lane reduction per plane: on short planes (8x8: 4 vectors) the 16 sequential
   * double adds of two reductions cost more than the plane's own work.
   */
  static void shiftedLaneSums(MemorySegment x, long off, int n, float k, double[] acc, int o) {
    FloatVector a = FloatVector.zero(S), b = a;
    long i = off, e = bound(off, off + n);
    for (; i < e; i += L) {
      FloatVector d = ld(x, i).sub(k);
      a = a.add(d);
      b = d.fma(d, b);
    }
    if (i < off + n) {
      VectorMask<Float> m = S.indexInRange(i, off + n);
      FloatVector d = FloatVector.fromMemorySegment(S, x, i * Float.BYTES, NATIVE, m).sub(k);
      a = a.blend(a.add(d), m);
      b = b.blend(d.fma(d, b), m);
    }
    addLanes(a, acc, o);
    addLanes(b, acc, o + L);
  }

  /**
   * acc[o + l] += sum of g and acc[o + 16 + l] += sum of (x - mean) * g over the plane's elements
   * l, l + 16, ..., with g = dy masked by y &gt; 0 when relu; as {@link #shiftedLaneSums}.
   */
  static void maskedDyLaneSums(
      MemorySegment x, MemorySegment y, MemorySegment dy, long off, int n, float mean, boolean relu, double[] acc, int o) {
    FloatVector a = FloatVector.zero(S), b = a, z = a;
    long i = off, e = bound(off, off + n);
    // one loop per case: a vector chosen by a branch inside the loop (a phi of two vectors) can
    // be boxed by C2 once the method has run both ways (measured up to 3x slower in one JVM that
    // ran every BN backward variant; ResNet's BNs run both)
    if (relu) {
      for (; i < e; i += L) {
        FloatVector g = z.blend(ld(dy, i), ld(y, i).compare(VectorOperators.GT, z));
        a = a.add(g);
        b = ld(x, i).sub(mean).fma(g, b);
      }
    } else {
      for (; i < e; i += L) {
        FloatVector g = ld(dy, i);
        a = a.add(g);
        b = ld(x, i).sub(mean).fma(g, b);
      }
    }
    if (i < off + n) {
      VectorMask<Float> m = S.indexInRange(i, off + n);
      long bytes = i * Float.BYTES;
      FloatVector g = relu
          ? z.blend(FloatVector.fromMemorySegment(S, dy, bytes, NATIVE, m), FloatVector.fromMemorySegment(S, y, bytes, NATIVE, m).compare(VectorOperators.GT, z))
          : FloatVector.fromMemorySegment(S, dy, bytes, NATIVE, m);
      a = a.blend(a.add(g), m);
      b = b.blend(FloatVector.fromMemorySegment(S, x, bytes, NATIVE, m).sub(mean).fma(g, b), m);
    }
    addLanes(a, acc, o);
    addLanes(b, acc, o + L);
  }

  /** acc[o + l] += v[l] for the 16 lanes, in double. */
  private static void addLanes(FloatVector v, double[] acc, int o) {
    DoubleVector lo = (DoubleVector) v.convertShape(VectorOperators.F2D, D, 0);
    DoubleVector hi = (DoubleVector) v.convertShape(VectorOperators.F2D, D, 1);
    DoubleVector.fromArray(D, acc, o).add(lo).intoArray(acc, o);
    DoubleVector.fromArray(D, acc, o + 8).add(hi).intoArray(acc, o + 8);
  }

  /** y = x * scale + shift + r, then max(., 0) when relu, over the plane (y may be r). */
  static void affineAddRelu(MemorySegment x, MemorySegment r, MemorySegment y, long off, int n, float scale, float shift, boolean relu) {
    long i = off, e = bound(off, off + n);
    FloatVector z = FloatVector.zero(S);
    if (relu) {
      for (; i < e; i += L) st(ld(x, i).fma(scale, shift).add(ld(r, i)).max(z), y, i);
    } else {
      for (; i < e; i += L) st(ld(x, i).fma(scale, shift).add(ld(r, i)), y, i);
    }
    for (; i < off + n; i++) {
      float v = Math.fma(x.getAtIndex(CpuBackend.F, i), scale, shift) + r.getAtIndex(CpuBackend.F, i);
      y.setAtIndex(CpuBackend.F, i, relu ? Math.max(v, 0f) : v);
    }
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

  /**
   * {@link #maskedDyLaneSums} with relu, the mask recomputed from x as the forward computed y:
   * fma(x, scale, shift) &gt; 0 (its own method, as each case has its own loop there).
   */
  static void affineMaskedDyLaneSums(MemorySegment x, MemorySegment dy, long off, int n, float mean, float scale, float shift, double[] acc, int o) {
    FloatVector a = FloatVector.zero(S), b = a, z = a;
    long i = off, e = bound(off, off + n);
    for (; i < e; i += L) {
      FloatVector xv = ld(x, i);
      FloatVector g = z.blend(ld(dy, i), xv.fma(scale, shift).compare(VectorOperators.GT, z));
      a = a.add(g);
      b = xv.sub(mean).fma(g, b);
    }
    if (i < off + n) {
      VectorMask<Float> m = S.indexInRange(i, off + n);
      long bytes = i * Float.BYTES;
      FloatVector xv = FloatVector.fromMemorySegment(S, x, bytes, NATIVE, m);
      FloatVector g = z.blend(FloatVector.fromMemorySegment(S, dy, bytes, NATIVE, m), xv.fma(scale, shift).compare(VectorOperators.GT, z));
      a = a.blend(a.add(g), m);
      b = b.blend(xv.sub(mean).fma(g, b), m);
    }
    addLanes(a, acc, o);
    addLanes(b, acc, o + L);
  }

  /** {@link #maskedBnApply} with relu, the mask recomputed from x (see {@link #affineMaskedDyLaneSums}). */
  static void affineMaskedBnApply(
      MemorySegment x, MemorySegment dy, MemorySegment dx, long off, int n, float mean, float k, float c0, float c1, float scale, float shift) {
    long i = off, e = bound(off, off + n);
    FloatVector z = FloatVector.zero(S), c1v = FloatVector.broadcast(S, c1);
    for (; i < e; i += L) {
      FloatVector xv = ld(x, i);
      FloatVector g = z.blend(ld(dy, i), xv.fma(scale, shift).compare(VectorOperators.GT, z));
      st(xv.sub(mean).fma(c1v, g.fma(k, c0)), dx, i);
    }
    for (; i < off + n; i++) {
      float xv = x.getAtIndex(CpuBackend.F, i), g = Math.fma(xv, scale, shift) > 0f ? dy.getAtIndex(CpuBackend.F, i) : 0f;
      dx.setAtIndex(CpuBackend.F, i, Math.fma(xv - mean, c1, Math.fma(g, k, c0)));
    }
  }

  /** dx = k*g + c0 + c1*(x - mean) with g = dy masked by y &gt; 0 when relu (overwrites dx). */
  static void maskedBnApply(
      MemorySegment x, MemorySegment y, MemorySegment dy, MemorySegment dx, long off, int n, float mean, float k,
      float c0, float c1, boolean relu) {
    long i = off, e = bound(off, off + n);
    FloatVector z = FloatVector.zero(S), c1v = FloatVector.broadcast(S, c1);
    if (relu) { // one loop per case (see maskedDyLaneSums)
      for (; i < e; i += L) {
        FloatVector g = z.blend(ld(dy, i), ld(y, i).compare(VectorOperators.GT, z));
        st(ld(x, i).sub(mean).fma(c1v, g.fma(k, c0)), dx, i);
      }
    } else {
      for (; i < e; i += L) st(ld(x, i).sub(mean).fma(c1v, ld(dy, i).fma(k, c0)), dx, i);
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
      if (add) { // one loop per case (see addRun)
        for (; j < full; j += L) {
          FloatVector.fromArray(S, a, as + j).add(FloatVector.fromMemorySegment(S, seg, d + 4L * j, NATIVE)).intoMemorySegment(seg, d + 4L * j, NATIVE);
        }
        if (j < len) {
          FloatVector.fromArray(S, a, as + j, tail).add(FloatVector.fromMemorySegment(S, seg, d + 4L * j, NATIVE, tail))
              .intoMemorySegment(seg, d + 4L * j, NATIVE, tail);
        }
      } else {
        for (; j < full; j += L) FloatVector.fromArray(S, a, as + j).intoMemorySegment(seg, d + 4L * j, NATIVE);
        if (j < len) FloatVector.fromArray(S, a, as + j, tail).intoMemorySegment(seg, d + 4L * j, NATIVE, tail);
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
   * {@link #pointwise8x32} for a whole tile (32 columns, 8 rows) written straight into out: out[o +
   * m*ldo + j] = the tile's [m, j], without the round trip through a tile buffer (16 stores and 16
   * loads per tile, a tenth of the work of a 16-long reduction). The same fma chains, the same
   * bits. Adding into out is {@link #pointwise8x32StoreAdd}.
   */
  static void pointwise8x32Store(MemorySegment in, long i, long ldi, int nq, float[] wpk, int wo, MemorySegment out, long o, long ldo) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
    long bytes = i * Float.BYTES, step = ldi * Float.BYTES;
    for (int q = 0; q < nq; q++, bytes += step) {
      int ai = wo + q * 8;
      FloatVector b0 = FloatVector.fromMemorySegment(S, in, bytes, NATIVE);
      FloatVector b1 = FloatVector.fromMemorySegment(S, in, bytes + 4L * L, NATIVE);
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
    long d = o * Float.BYTES, row = ldo * Float.BYTES, half = 4L * L;
    c00.intoMemorySegment(out, d, NATIVE);
    c01.intoMemorySegment(out, d + half, NATIVE);
    c10.intoMemorySegment(out, d + row, NATIVE);
    c11.intoMemorySegment(out, d + row + half, NATIVE);
    c20.intoMemorySegment(out, d + 2 * row, NATIVE);
    c21.intoMemorySegment(out, d + 2 * row + half, NATIVE);
    c30.intoMemorySegment(out, d + 3 * row, NATIVE);
    c31.intoMemorySegment(out, d + 3 * row + half, NATIVE);
    c40.intoMemorySegment(out, d + 4 * row, NATIVE);
    c41.intoMemorySegment(out, d + 4 * row + half, NATIVE);
    c50.intoMemorySegment(out, d + 5 * row, NATIVE);
    c51.intoMemorySegment(out, d + 5 * row + half, NATIVE);
    c60.intoMemorySegment(out, d + 6 * row, NATIVE);
    c61.intoMemorySegment(out, d + 6 * row + half, NATIVE);
    c70.intoMemorySegment(out, d + 7 * row, NATIVE);
    c71.intoMemorySegment(out, d + 7 * row + half, NATIVE);
  }

  /**
   * {@link #pointwise8x32Store} adding the tile into out: out[o + m*ldo + j] = tile[m, j] + out[...]
   * (as {@link #copyRowsOut} adds). A method of its own: with both cases in one, C2 gave up on it in
   * some runs (2 GFLOP/s, boxed vectors).
   */
  static void pointwise8x32StoreAdd(MemorySegment in, long i, long ldi, int nq, float[] wpk, int wo, MemorySegment out, long o, long ldo) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
    long bytes = i * Float.BYTES, step = ldi * Float.BYTES;
    for (int q = 0; q < nq; q++, bytes += step) {
      int ai = wo + q * 8;
      FloatVector b0 = FloatVector.fromMemorySegment(S, in, bytes, NATIVE);
      FloatVector b1 = FloatVector.fromMemorySegment(S, in, bytes + 4L * L, NATIVE);
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
    long d = o * Float.BYTES, row = ldo * Float.BYTES, half = 4L * L;
    c00.add(FloatVector.fromMemorySegment(S, out, d, NATIVE)).intoMemorySegment(out, d, NATIVE);
    c01.add(FloatVector.fromMemorySegment(S, out, d + half, NATIVE)).intoMemorySegment(out, d + half, NATIVE);
    c10.add(FloatVector.fromMemorySegment(S, out, d + row, NATIVE)).intoMemorySegment(out, d + row, NATIVE);
    c11.add(FloatVector.fromMemorySegment(S, out, d + row + half, NATIVE)).intoMemorySegment(out, d + row + half, NATIVE);
    c20.add(FloatVector.fromMemorySegment(S, out, d + 2 * row, NATIVE)).intoMemorySegment(out, d + 2 * row, NATIVE);
    c21.add(FloatVector.fromMemorySegment(S, out, d + 2 * row + half, NATIVE)).intoMemorySegment(out, d + 2 * row + half, NATIVE);
    c30.add(FloatVector.fromMemorySegment(S, out, d + 3 * row, NATIVE)).intoMemorySegment(out, d + 3 * row, NATIVE);
    c31.add(FloatVector.fromMemorySegment(S, out, d + 3 * row + half, NATIVE)).intoMemorySegment(out, d + 3 * row + half, NATIVE);
    c40.add(FloatVector.fromMemorySegment(S, out, d + 4 * row, NATIVE)).intoMemorySegment(out, d + 4 * row, NATIVE);
    c41.add(FloatVector.fromMemorySegment(S, out, d + 4 * row + half, NATIVE)).intoMemorySegment(out, d + 4 * row + half, NATIVE);
    c50.add(FloatVector.fromMemorySegment(S, out, d + 5 * row, NATIVE)).intoMemorySegment(out, d + 5 * row, NATIVE);
    c51.add(FloatVector.fromMemorySegment(S, out, d + 5 * row + half, NATIVE)).intoMemorySegment(out, d + 5 * row + half, NATIVE);
    c60.add(FloatVector.fromMemorySegment(S, out, d + 6 * row, NATIVE)).intoMemorySegment(out, d + 6 * row, NATIVE);
    c61.add(FloatVector.fromMemorySegment(S, out, d + 6 * row + half, NATIVE)).intoMemorySegment(out, d + 6 * row + half, NATIVE);
    c70.add(FloatVector.fromMemorySegment(S, out, d + 7 * row, NATIVE)).intoMemorySegment(out, d + 7 * row, NATIVE);
    c71.add(FloatVector.fromMemorySegment(S, out, d + 7 * row + half, NATIVE)).intoMemorySegment(out, d + 7 * row + half, NATIVE);
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

  /** Floating-point operations of one iteration of {@link #fmaLoop}: 12 FMAs of 16 lanes. */
  static final int FMA_LOOP_FLOPS = 12 * 16 * 2;

  private static volatile float sink;

  /**
   * The FMA peak probe: 12 independent chains of 512-bit FMAs (enough to cover the FMA latency on
   * current cores), {@code iters} iterations.
   */
  static void fmaLoop(long iters) {
    FloatVector a = FloatVector.broadcast(S, 1e-3f), b = FloatVector.broadcast(S, 0.999f);
    FloatVector c0 = a, c1 = a.add(1), c2 = a.add(2), c3 = a.add(3), c4 = a.add(4), c5 = a.add(5);
    FloatVector c6 = a.add(6), c7 = a.add(7), c8 = a.add(8), c9 = a.add(9), c10 = a.add(10), c11 = a.add(11);
    for (long i = 0; i < iters; i++) {
      c0 = c0.fma(b, a);
      c1 = c1.fma(b, a);
      c2 = c2.fma(b, a);
      c3 = c3.fma(b, a);
      c4 = c4.fma(b, a);
      c5 = c5.fma(b, a);
      c6 = c6.fma(b, a);
      c7 = c7.fma(b, a);
      c8 = c8.fma(b, a);
      c9 = c9.fma(b, a);
      c10 = c10.fma(b, a);
      c11 = c11.fma(b, a);
    }
    sink = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).lane(0);
  }

  // ---- Winograd F(2x2, 3x3) transforms, 16 tiles of a tile row per vector (see Winograd) ----

  /**
   * {@link Winograd#inputTransform}: 16 tiles at a time in tile order (t = ty*tw + tx, across tile
   * rows), each tile's 4x4 window gathered from the padded plane (index map {@code off}: the
   * windows' top-left corners), then B^T d B with the adds of {@link Winograd#inputTile} in the
   * same order; the 16 results go to V[xi] at columns t (masked past the last tile). Locals only:
   * vectors kept in arrays would be boxed.
   */
  static void winogradInput(float[] pad, int rl, int tiles, int[] off, MemorySegment v, long at, long xiStride) {
    long step = xiStride * Float.BYTES;
    // B^T d of 16 tiles, element (i, j) at (4i + j) * L. Two small methods per 16 tiles instead of
    // one with 16 gathers: that one left C2 past its inlining node budget, its row helper stayed a
    // call and every vector passed to it was boxed (3 GB/s of garbage in VGG-19-NR). No vector
    // crosses a call here (masks neither).
    float[] bt = new float[16 * L];
    for (int t0 = 0; t0 < tiles; t0 += L) {
      for (int j = 0; j < 4; j++) inputColumn(pad, rl, j, off, t0, bt);
      long o = (at + t0) * Float.BYTES;
      for (int i = 0; i < 4; i++) inputRow(bt, i, v, o + 4L * i * step, step, t0, tiles);
    }
  }

  // column j of B^T d for 16 tiles: d0 - d2, d1 + d2, d2 - d1, d1 - d3, d_i element (i, j) of each window
  private static void inputColumn(float[] pad, int rl, int j, int[] off, int t0, float[] bt) {
    FloatVector d0 = g(pad, j, off, t0), d1 = g(pad, rl + j, off, t0), d2 = g(pad, 2 * rl + j, off, t0), d3 = g(pad, 3 * rl + j, off, t0);
    d0.sub(d2).intoArray(bt, j * L);
    d1.add(d2).intoArray(bt, (4 + j) * L);
    d2.sub(d1).intoArray(bt, (8 + j) * L);
    d1.sub(d3).intoArray(bt, (12 + j) * L);
  }

  // row i (w0..w3) of B^T d times B: w0 - w2, w1 + w2, w2 - w1, w1 - w3 at o, o + step, ... (masked past the last tile)
  private static void inputRow(float[] bt, int i, MemorySegment v, long o, long step, int t0, int tiles) {
    VectorMask<Float> m = S.indexInRange(t0, tiles);
    FloatVector w0 = FloatVector.fromArray(S, bt, 4 * i * L), w1 = FloatVector.fromArray(S, bt, (4 * i + 1) * L);
    FloatVector w2 = FloatVector.fromArray(S, bt, (4 * i + 2) * L), w3 = FloatVector.fromArray(S, bt, (4 * i + 3) * L);
    w0.sub(w2).intoMemorySegment(v, o, NATIVE, m);
    w1.add(w2).intoMemorySegment(v, o + step, NATIVE, m);
    w2.sub(w1).intoMemorySegment(v, o + 2 * step, NATIVE, m);
    w1.sub(w3).intoMemorySegment(v, o + 3 * step, NATIVE, m);
  }

  // element e of the windows of tiles t0..t0+15: pad[off[t] + e] (off is padded to whole vectors)
  private static FloatVector g(float[] pad, int e, int[] off, int t0) {
    return FloatVector.fromArray(S, pad, e, off, t0);
  }

  /**
   * {@link Winograd#outputTransform}: A^T M A for 16 tiles at a time in tile order (the adds of
   * {@link Winograd#outputTile} in the same order), the 2x2 results scattered into {@code plane}
   * (whole tiles, row length 2*tw; index map {@code off}: the tiles' top-left pixels).
   */
  static void winogradOutput(MemorySegment m, long at, long xiStride, int tiles, int[] off, int rowLength, float[] plane) {
    long step = xiStride * Float.BYTES;
    // A^T q of 16 tiles, element (i, j) at (4i + j) * L; no vector crosses a call (see winogradInput)
    float[] aq = new float[8 * L];
    for (int t0 = 0; t0 < tiles; t0 += L) {
      long o = (at + t0) * Float.BYTES;
      for (int j = 0; j < 4; j++) outputColumn(m, o + j * step, 4 * step, t0, tiles, aq, j);
      outputRow(aq, 0, plane, 0, off, t0, tiles);
      outputRow(aq, 1, plane, rowLength, off, t0, tiles);
    }
  }

  // column j of A^T q for 16 tiles (q_i at o + i*rowStep): q0 + q1 + q2, q1 - q2 - q3
  private static void outputColumn(MemorySegment m, long o, long rowStep, int t0, int tiles, float[] aq, int j) {
    VectorMask<Float> tm = S.indexInRange(t0, tiles);
    FloatVector q0 = ld(m, o, tm), q1 = ld(m, o + rowStep, tm), q2 = ld(m, o + 2 * rowStep, tm), q3 = ld(m, o + 3 * rowStep, tm);
    q0.add(q1).add(q2).intoArray(aq, j * L);
    q1.sub(q2).sub(q3).intoArray(aq, (4 + j) * L);
  }

  // row i (s0..s3) of A^T q times A: pixels s0 + s1 + s2 and s1 - s2 - s3 of each tile, at plane[off[t] + e]
  private static void outputRow(float[] aq, int i, float[] plane, int e, int[] off, int t0, int tiles) {
    VectorMask<Float> tm = S.indexInRange(t0, tiles);
    FloatVector s0 = FloatVector.fromArray(S, aq, 4 * i * L), s1 = FloatVector.fromArray(S, aq, (4 * i + 1) * L);
    FloatVector s2 = FloatVector.fromArray(S, aq, (4 * i + 2) * L), s3 = FloatVector.fromArray(S, aq, (4 * i + 3) * L);
    s0.add(s1).add(s2).intoArray(plane, e, off, t0, tm);
    s1.sub(s2).sub(s3).intoArray(plane, e + 1, off, t0, tm);
  }

  private static FloatVector ld(MemorySegment m, long bytes, VectorMask<Float> mask) {
    return FloatVector.fromMemorySegment(S, m, bytes, NATIVE, mask);
  }

  private static final int[] NINES = {0, 9, 18, 27, 36, 45, 54, 63, 72, 81, 90, 99, 108, 117, 126, 135};

  /**
   * {@link Winograd}'s filter transform for 16 filters at a time: U[xi][at + j] = (G f_j G^T)[xi]
   * with f_j = f[9j .. 9j+9) gathered (read backwards when flipped), the adds and halvings of
   * {@link Winograd#filterTransform} in the same order. f has room for whole vectors of filters.
   */
  static void winogradFilters(float[] f, int count, boolean flipped, MemorySegment u, long at, long xiStride) {
    long step = xiStride * Float.BYTES;
    // G f of 16 filters, element (i, j) at (3i + j) * L; no vector crosses a call (see winogradInput)
    float[] gf = new float[12 * L];
    for (int j0 = 0; j0 < count; j0 += L) {
      int base = 9 * j0;
      for (int j = 0; j < 3; j++) filterColumn(f, base, j, flipped, gf);
      long o = (at + j0) * Float.BYTES;
      for (int i = 0; i < 4; i++) filterRow(gf, i, u, o + 4L * i * step, step, j0, count);
    }
  }

  // column j of G f for 16 filters: f0, (f0 + f1 + f2)/2, (f0 - f1 + f2)/2, f2 (f_i: element (i, j))
  private static void filterColumn(float[] f, int base, int j, boolean flipped, float[] gf) {
    FloatVector f0 = fe(f, base, j, flipped), f1 = fe(f, base, 3 + j, flipped), f2 = fe(f, base, 6 + j, flipped);
    FloatVector half = FloatVector.broadcast(S, 0.5f);
    f0.intoArray(gf, j * L);
    f0.add(f1).add(f2).mul(half).intoArray(gf, (3 + j) * L);
    f0.sub(f1).add(f2).mul(half).intoArray(gf, (6 + j) * L);
    f2.intoArray(gf, (9 + j) * L);
  }

  // row i (a, b, c) of G f times G^T: a, (a + b + c)/2, (a - b + c)/2, c at o, o + step, ...
  private static void filterRow(float[] gf, int i, MemorySegment u, long o, long step, int j0, int count) {
    VectorMask<Float> m = S.indexInRange(j0, count);
    FloatVector half = FloatVector.broadcast(S, 0.5f);
    FloatVector a = FloatVector.fromArray(S, gf, 3 * i * L), b = FloatVector.fromArray(S, gf, (3 * i + 1) * L), c = FloatVector.fromArray(S, gf, (3 * i + 2) * L);
    a.intoMemorySegment(u, o, NATIVE, m);
    a.add(b).add(c).mul(half).intoMemorySegment(u, o + step, NATIVE, m);
    a.sub(b).add(c).mul(half).intoMemorySegment(u, o + 2 * step, NATIVE, m);
    c.intoMemorySegment(u, o + 3 * step, NATIVE, m);
  }

  // element e of 16 filters (9 floats each) from f[base]; flipped: element 8 - e
  private static FloatVector fe(float[] f, int base, int e, boolean flipped) {
    return FloatVector.fromArray(S, f, base + (flipped ? 8 - e : e), NINES, 0);
  }

  /**
   * {@link Winograd#gradientTransform}: A d A^T for 16 tiles of dy at a time (2x2 windows
   * gathered at off), the operations of {@link Winograd#gradientTile} in the same order.
   */
  static void winogradGradient(float[] pad, int rl, int tiles, int[] off, MemorySegment yt, long at, long xiStride) {
    long step = xiStride * Float.BYTES;
    // A d of 16 tiles, element (i, j) at (2i + j) * L; two small methods with no vector crossing a
    // call, as winogradInput (one method boxed its vectors: 1.5 GB/s of garbage)
    float[] ad = new float[8 * L];
    for (int t0 = 0; t0 < tiles; t0 += L) {
      for (int j = 0; j < 2; j++) gradientColumn(pad, rl, j, off, t0, ad);
      long o = (at + t0) * Float.BYTES;
      for (int i = 0; i < 4; i++) gradientRow(ad, i, yt, o + 4L * i * step, step, t0, tiles);
    }
  }

  // column j of A d for 16 tiles: a, a + b, a - b, -b with a, b elements (0, j), (1, j) of each window
  private static void gradientColumn(float[] pad, int rl, int j, int[] off, int t0, float[] ad) {
    FloatVector a = g(pad, j, off, t0), b = g(pad, rl + j, off, t0);
    a.intoArray(ad, j * L);
    a.add(b).intoArray(ad, (2 + j) * L);
    a.sub(b).intoArray(ad, (4 + j) * L);
    b.neg().intoArray(ad, (6 + j) * L);
  }

  // row i (p, q) of A d times A^T: p, p + q, p - q, -q at o, o + step, ... (masked past the last tile)
  private static void gradientRow(float[] ad, int i, MemorySegment yt, long o, long step, int t0, int tiles) {
    VectorMask<Float> m = S.indexInRange(t0, tiles);
    FloatVector p = FloatVector.fromArray(S, ad, 2 * i * L), q = FloatVector.fromArray(S, ad, (2 * i + 1) * L);
    p.intoMemorySegment(yt, o, NATIVE, m);
    p.add(q).intoMemorySegment(yt, o + step, NATIVE, m);
    p.sub(q).intoMemorySegment(yt, o + 2 * step, NATIVE, m);
    q.neg().intoMemorySegment(yt, o + 3 * step, NATIVE, m);
  }

  // ---- 2x2 max pooling, 16 windows of a row per vector ----

  private static final VectorShuffle<Float> EVEN_LO = VectorShuffle.fromOp(S, j -> j < 8 ? 2 * j : 0);
  private static final VectorShuffle<Float> EVEN_HI = VectorShuffle.fromOp(S, j -> j < 8 ? 0 : 2 * (j - 8));
  private static final VectorShuffle<Float> ODD_LO = VectorShuffle.fromOp(S, j -> j < 8 ? 2 * j + 1 : 0);
  private static final VectorShuffle<Float> ODD_HI = VectorShuffle.fromOp(S, j -> j < 8 ? 0 : 2 * (j - 8) + 1);
  private static final VectorShuffle<Float> ZIP_LO = VectorShuffle.fromOp(S, j -> j / 2);
  private static final VectorShuffle<Float> ZIP_HI = VectorShuffle.fromOp(S, j -> 8 + j / 2);
  private static final VectorMask<Float> HIGH_HALF = VectorMask.fromLong(S, 0xFF00L);
  private static final VectorMask<Float> ODD = VectorMask.fromLong(S, 0xAAAAL);

  /**
   * The overwriting 2x2 max-pool backward for whole groups of 16 windows of one output row: each
   * window's four dx elements get dy at its first maximum (row-major) and 0 elsewhere, the choice of
   * {@code PoolKernels.maxBack2x2Row}; a last group of 8 to 15 under masks. Returns the windows
   * done.
   */
  static int maxBack2x2Overwrite(MemorySegment x, MemorySegment dx, long xo, int w, MemorySegment dy, long yo, int ow) {
    int j = 0;
    for (; j + L <= ow; j += L) {
      long a = (xo + 2L * j) * Float.BYTES;
      maxBack2x2Block(x, dx, a, a + 4L * L, 4L * w, dy, (yo + j) * Float.BYTES, null, null, null);
    }
    if (ow - j >= L / 2) { // 8 to 15 windows left: one block under masks (fewer go scalar: faster)
      int r = ow - j;
      long a = (xo + 2L * j) * Float.BYTES;
      maxBack2x2Block(x, dx, a, a + 4L * L, 4L * w, dy, (yo + j) * Float.BYTES,
          S.indexInRange(0, 2 * r), S.indexInRange(L, 2 * r), S.indexInRange(0, r));
      j = ow;
    }
    return j;
  }

  /**
   * {@link #maxBack2x2Overwrite} for maps of 16 columns (8 output columns): output rows i and i+1
   * at yo as one vector, their top input rows at xo and xo + 2w.
   */
  static void maxBack2x2OverwritePair(MemorySegment x, MemorySegment dx, long xo, int w, MemorySegment dy, long yo) {
    long a = xo * Float.BYTES;
    maxBack2x2Block(x, dx, a, a + 8L * w, 4L * w, dy, yo * Float.BYTES, null, null, null);
  }

  // 16 windows: their top rows are the 16 floats at byte a then the 16 at a2, their bottom rows
  // rowBytes below each; dy at byte g. With masks (m0 over the floats at a, m1 over those at a2,
  // mg over the windows), only the masked elements are read and written.
  private static void maxBack2x2Block(
      MemorySegment x, MemorySegment dx, long a, long a2, long rowBytes, MemorySegment dy, long g,
      VectorMask<Float> m0, VectorMask<Float> m1, VectorMask<Float> mg) {
    FloatVector zero = FloatVector.zero(S);
    long c = a + rowBytes, c2 = a2 + rowBytes;
    FloatVector a0 = load(x, a, m0), a1 = load(x, a2, m1), c0 = load(x, c, m0), c1 = load(x, c2, m1);
    FloatVector va = pick(a0, a1, EVEN_LO, EVEN_HI), vb = pick(a0, a1, ODD_LO, ODD_HI);
    FloatVector vc = pick(c0, c1, EVEN_LO, EVEN_HI), vd = pick(c0, c1, ODD_LO, ODD_HI);
    FloatVector m = va.max(vb).max(vc.max(vd)), gv = load(dy, g, mg);
    VectorMask<Float> isA = va.compare(VectorOperators.EQ, m);
    VectorMask<Float> isB = vb.compare(VectorOperators.EQ, m).andNot(isA);
    VectorMask<Float> isC = vc.compare(VectorOperators.EQ, m).andNot(isA).andNot(isB);
    VectorMask<Float> isD = isA.or(isB).or(isC).not();
    FloatVector ga = zero.blend(gv, isA), gb = zero.blend(gv, isB), gc = zero.blend(gv, isC), gd = zero.blend(gv, isD);
    store(zip(ga, gb, ZIP_LO), dx, a, m0);
    store(zip(ga, gb, ZIP_HI), dx, a2, m1);
    store(zip(gc, gd, ZIP_LO), dx, c, m0);
    store(zip(gc, gd, ZIP_HI), dx, c2, m1);
  }

  private static FloatVector load(MemorySegment m, long at, VectorMask<Float> mask) {
    return mask == null ? FloatVector.fromMemorySegment(S, m, at, NATIVE) : FloatVector.fromMemorySegment(S, m, at, NATIVE, mask);
  }

  private static void store(FloatVector v, MemorySegment m, long at, VectorMask<Float> mask) {
    if (mask == null) v.intoMemorySegment(m, at, NATIVE);
    else v.intoMemorySegment(m, at, NATIVE, mask);
  }

  /**
   * 2x2 max pooling with stride 2 of one output row, 16 outputs at a time, a last 8 to 15 under
   * masks; returns the outputs done.
   */
  static int max2x2Row(MemorySegment x, long xo, int w, MemorySegment y, long yo, int ow) {
    int j = 0;
    for (; j + L <= ow; j += L) {
      long a = (xo + 2L * j) * Float.BYTES;
      max2x2Block(x, a, a + 4L * L, 4L * w, y, (yo + j) * Float.BYTES, null, null, null);
    }
    if (ow - j >= L / 2) {
      int r = ow - j;
      long a = (xo + 2L * j) * Float.BYTES;
      max2x2Block(x, a, a + 4L * L, 4L * w, y, (yo + j) * Float.BYTES, S.indexInRange(0, 2 * r), S.indexInRange(L, 2 * r), S.indexInRange(0, r));
      j = ow;
    }
    return j;
  }

  /** {@link #max2x2Row} for maps of 16 columns: output rows i and i+1 at yo, top rows at xo and xo + 2w. */
  static void max2x2Pair(MemorySegment x, long xo, int w, MemorySegment y, long yo) {
    long a = xo * Float.BYTES;
    max2x2Block(x, a, a + 8L * w, 4L * w, y, yo * Float.BYTES, null, null, null);
  }

  private static void max2x2Block(
      MemorySegment x, long a, long a2, long rowBytes, MemorySegment y, long o, VectorMask<Float> m0, VectorMask<Float> m1, VectorMask<Float> mo) {
    FloatVector a0 = load(x, a, m0), a1 = load(x, a2, m1);
    FloatVector c0 = load(x, a + rowBytes, m0), c1 = load(x, a2 + rowBytes, m1);
    FloatVector top = pick(a0, a1, EVEN_LO, EVEN_HI).max(pick(a0, a1, ODD_LO, ODD_HI));
    FloatVector bottom = pick(c0, c1, EVEN_LO, EVEN_HI).max(pick(c0, c1, ODD_LO, ODD_HI));
    store(top.max(bottom), y, o, mo);
  }

  // lanes (lo from a, hi from b) of the 32 lanes (a, b): the even or odd ones
  private static FloatVector pick(FloatVector a, FloatVector b, VectorShuffle<Float> lo, VectorShuffle<Float> hi) {
    return a.rearrange(lo).blend(b.rearrange(hi), HIGH_HALF);
  }

  // (p[t], q[t]) interleaved, for t in the lower (ZIP_LO) or upper (ZIP_HI) half
  private static FloatVector zip(FloatVector p, FloatVector q, VectorShuffle<Float> half) {
    return p.rearrange(half).blend(q.rearrange(half), ODD);
  }

  /**
   * {@link ChannelLaneConv}'s tile: tile[px*32 + kk] = sum over q &lt; nq of wpk[wo + q*32 + kk] *
   * src[xi + off[q] + px], for 32 channels kk (two vectors) by 8 pixels px, each a broadcast.
   */
  static void lanes32x8(float[] src, int xi, int[] off, int nq, float[] wpk, int wo, float[] tile, int to) {
    FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c04 = c00, c05 = c00, c06 = c00, c07 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00, c15 = c00, c16 = c00, c17 = c00;
    for (int q = 0; q < nq; q++) {
      int wi = wo + q * 32, si = xi + off[q];
      FloatVector w0 = FloatVector.fromArray(S, wpk, wi), w1 = FloatVector.fromArray(S, wpk, wi + L);
      FloatVector v;
      v = FloatVector.broadcast(S, src[si]);
      c00 = w0.fma(v, c00);
      c10 = w1.fma(v, c10);
      v = FloatVector.broadcast(S, src[si + 1]);
      c01 = w0.fma(v, c01);
      c11 = w1.fma(v, c11);
      v = FloatVector.broadcast(S, src[si + 2]);
      c02 = w0.fma(v, c02);
      c12 = w1.fma(v, c12);
      v = FloatVector.broadcast(S, src[si + 3]);
      c03 = w0.fma(v, c03);
      c13 = w1.fma(v, c13);
      v = FloatVector.broadcast(S, src[si + 4]);
      c04 = w0.fma(v, c04);
      c14 = w1.fma(v, c14);
      v = FloatVector.broadcast(S, src[si + 5]);
      c05 = w0.fma(v, c05);
      c15 = w1.fma(v, c15);
      v = FloatVector.broadcast(S, src[si + 6]);
      c06 = w0.fma(v, c06);
      c16 = w1.fma(v, c16);
      v = FloatVector.broadcast(S, src[si + 7]);
      c07 = w0.fma(v, c07);
      c17 = w1.fma(v, c17);
    }
    c00.intoArray(tile, to + 0);
    c10.intoArray(tile, to + 16);
    c01.intoArray(tile, to + 32);
    c11.intoArray(tile, to + 48);
    c02.intoArray(tile, to + 64);
    c12.intoArray(tile, to + 80);
    c03.intoArray(tile, to + 96);
    c13.intoArray(tile, to + 112);
    c04.intoArray(tile, to + 128);
    c14.intoArray(tile, to + 144);
    c05.intoArray(tile, to + 160);
    c15.intoArray(tile, to + 176);
    c06.intoArray(tile, to + 192);
    c16.intoArray(tile, to + 208);
    c07.intoArray(tile, to + 224);
    c17.intoArray(tile, to + 240);
  }

  private static final VectorMask<Float> EVEN_LANES = VectorMask.fromLong(S, 0x5555L), ODD_LANES = VectorMask.fromLong(S, 0xAAAAL);

  /**
   * {@link WinogradLanes#phases} for rows of at most 16: each row's even columns (padded columns
   * 1, 3, ..: phase b = 1 from xx = 0) and odd ones (padded 2, 4, ..: phase b = 0 from xx = 1)
   * compressed out of one vector. Writes the interior only; the borders stay as they are.
   */
  static void winogradPhases(MemorySegment in, long at, int h, int w, float[] ph, int ps, int rw) {
    VectorMask<Float> row = S.indexInRange(0, w), half = S.indexInRange(0, w / 2);
    for (int y = 0; y < h; y++) {
      FloatVector v = FloatVector.fromMemorySegment(S, in, (at + (long) y * w) * Float.BYTES, NATIVE, row);
      int o = ((y + 1) & 1) * 2 * ps + ((y + 1) >> 1) * rw;
      v.compress(EVEN_LANES).intoArray(ph, o + ps, half);
      v.compress(ODD_LANES).intoArray(ph, o + 1, half);
    }
  }

  /**
   * {@link WinogradLanes}' input transform of one plane from its four phase planes ph[ab*ps + yy*rw
   * + xx] = xPad[2yy + a, 2xx + b] (rows of rw = tw + 1): v[vo + xi*xs + ty*tw + tx] = (B^T d B)[xi]
   * for the 4x4 window d of tile (ty, tx), whose element (r, j) is phase (r%2, j%2) at (ty + r/2,
   * tx + j/2); the additions of Winograd.inputTile, lane by lane. A row of tw &lt;=
   * 16 tiles per vector: the lanes past tw compute garbage that lands on the next rows' tiles, the
   * next plane's or the slice's spacing, all written later or never read (rows and planes go in
   * increasing order); ph must hold 16 floats past its last phase plane. Full 512-bit vectors,
   * not 256- or 128-bit species: with those in the same process, other kernels' passes (the
   * weight gradients' filter4x6 and filterLanes32x8) ran 2 to 2.5 times slower for whole runs
   * (docs/performance.md, item 41).
   */
  static void winogradInput(float[] ph, int ps, int rw, int th, int tw, float[] v, int vo, int xs) {
    // window element (r, j) is phase (r%2, j%2) at row ty + r/2, column j/2
    for (int ty = 0; ty < th; ty++) winogradInputTile(ph, ty * rw, 0, 2 * ps, rw, 2 * ps + rw, 0, ps, 1, ps + 1, v, vo + ty * tw, xs);
  }

  /**
   * One 4x4 window d of vectors (lanes side by side), d[r][j] = src[base + r_r + c_j]: v[o + xi*xs
   * .. + 16] = (B^T d B)[xi], B^T = [[1,0,-1,0],[0,1,1,0],[0,-1,1,0],[0,1,0,-1]]; the additions of
   * Winograd.inputTile, lane by lane. Only offsets cross the call, no vector.
   */
  private static void winogradInputTile(
      float[] src, int base, int r0, int r1, int r2, int r3, int c0, int c1, int c2, int c3, float[] v, int o, int xs) {
    int b0 = base + r0, b1 = base + r1, b2 = base + r2, b3 = base + r3;
    FloatVector d00 = FloatVector.fromArray(S, src, b0 + c0), d01 = FloatVector.fromArray(S, src, b0 + c1);
    FloatVector d02 = FloatVector.fromArray(S, src, b0 + c2), d03 = FloatVector.fromArray(S, src, b0 + c3);
    FloatVector d10 = FloatVector.fromArray(S, src, b1 + c0), d11 = FloatVector.fromArray(S, src, b1 + c1);
    FloatVector d12 = FloatVector.fromArray(S, src, b1 + c2), d13 = FloatVector.fromArray(S, src, b1 + c3);
    FloatVector d20 = FloatVector.fromArray(S, src, b2 + c0), d21 = FloatVector.fromArray(S, src, b2 + c1);
    FloatVector d22 = FloatVector.fromArray(S, src, b2 + c2), d23 = FloatVector.fromArray(S, src, b2 + c3);
    FloatVector d30 = FloatVector.fromArray(S, src, b3 + c0), d31 = FloatVector.fromArray(S, src, b3 + c1);
    FloatVector d32 = FloatVector.fromArray(S, src, b3 + c2), d33 = FloatVector.fromArray(S, src, b3 + c3);
    FloatVector u00 = d00.sub(d20), u10 = d10.add(d20), u20 = d20.sub(d10), u30 = d10.sub(d30);
    FloatVector u01 = d01.sub(d21), u11 = d11.add(d21), u21 = d21.sub(d11), u31 = d11.sub(d31);
    FloatVector u02 = d02.sub(d22), u12 = d12.add(d22), u22 = d22.sub(d12), u32 = d12.sub(d32);
    FloatVector u03 = d03.sub(d23), u13 = d13.add(d23), u23 = d23.sub(d13), u33 = d13.sub(d33);
    u00.sub(u02).intoArray(v, o + 0 * xs);
    u01.add(u02).intoArray(v, o + 1 * xs);
    u02.sub(u01).intoArray(v, o + 2 * xs);
    u01.sub(u03).intoArray(v, o + 3 * xs);
    u10.sub(u12).intoArray(v, o + 4 * xs);
    u11.add(u12).intoArray(v, o + 5 * xs);
    u12.sub(u11).intoArray(v, o + 6 * xs);
    u11.sub(u13).intoArray(v, o + 7 * xs);
    u20.sub(u22).intoArray(v, o + 8 * xs);
    u21.add(u22).intoArray(v, o + 9 * xs);
    u22.sub(u21).intoArray(v, o + 10 * xs);
    u21.sub(u23).intoArray(v, o + 11 * xs);
    u30.sub(u32).intoArray(v, o + 12 * xs);
    u31.add(u32).intoArray(v, o + 13 * xs);
    u32.sub(u31).intoArray(v, o + 14 * xs);
    u31.sub(u33).intoArray(v, o + 15 * xs);
  }

  /**
   * {@link WinogradLanes#backwardFilter}'s input transform, 16 channels per vector: v[vo + xi*xs +
   * t*16 + l] = (B^T d B)[xi] for every tile t = ty*tw + tx, d the 4x4 window at padded row 2ty,
   * column 2tx of xb[(row*wp + col)*16 + l]; the additions of Winograd.inputTile, lane by lane.
   */
  static void winogradInputBlock(float[] xb, int wp, int th, int tw, float[] v, int vo, int xs) {
    int row = wp * L;
    for (int ty = 0; ty < th; ty++) {
      for (int tx = 0; tx < tw; tx++) {
        winogradInputTile(xb, (2 * ty * wp + 2 * tx) * L, 0, row, 2 * row, 3 * row, 0, L, 2 * L, 3 * L, v, vo + (ty * tw + tx) * L, xs);
      }
    }
  }

  /**
   * {@link WinogradLanes#backwardFilter}'s transform of dy, 32 channels in two vectors: y[yo + xi*xs
   * + t*32 + l] = (A e A^T)[xi] for every tile t = ty*tw + tx, e the 2x2 at row 2ty, column 2tx of
   * db[(row*w + col)*32 + l]; the operations of Winograd.gradientTile, lane by lane.
   */
  static void winogradGradientBlock(float[] db, int w, int th, int tw, float[] y, int yo, int xs) {
    for (int ty = 0; ty < th; ty++) {
      for (int tx = 0; tx < tw; tx++) {
        int o = yo + (ty * tw + tx) * 32, p = (2 * ty * w + 2 * tx) * 32;
        winogradGradientHalf(db, p, w * 32, y, o, xs);
        winogradGradientHalf(db, p + L, w * 32, y, o + L, xs);
      }
    }
  }

  // one vector of the above: A e = rows (a, b), (a + c, b + d), (a - c, b - d), (-c, -d); each row
  // (p, q) times A^T is (p, p + q, p - q, -q)
  private static void winogradGradientHalf(float[] db, int p, int row, float[] y, int o, int xs) {
    FloatVector a = FloatVector.fromArray(S, db, p), b = FloatVector.fromArray(S, db, p + 32);
    FloatVector c = FloatVector.fromArray(S, db, p + row), d = FloatVector.fromArray(S, db, p + row + 32);
    FloatVector p1 = a.add(c), q1 = b.add(d), p2 = a.sub(c), q2 = b.sub(d), p3 = c.neg(), q3 = d.neg();
    a.intoArray(y, o);
    a.add(b).intoArray(y, o + xs);
    a.sub(b).intoArray(y, o + 2 * xs);
    b.neg().intoArray(y, o + 3 * xs);
    p1.intoArray(y, o + 4 * xs);
    p1.add(q1).intoArray(y, o + 5 * xs);
    p1.sub(q1).intoArray(y, o + 6 * xs);
    q1.neg().intoArray(y, o + 7 * xs);
    p2.intoArray(y, o + 8 * xs);
    p2.add(q2).intoArray(y, o + 9 * xs);
    p2.sub(q2).intoArray(y, o + 10 * xs);
    q2.neg().intoArray(y, o + 11 * xs);
    p3.intoArray(y, o + 12 * xs);
    p3.add(q3).intoArray(y, o + 13 * xs);
    p3.sub(q3).intoArray(y, o + 14 * xs);
    q3.neg().intoArray(y, o + 15 * xs);
  }

  /**
   * {@link WinogradLanes}' output transform of one tile for 32 output channels (two vectors):
   * stage[p*32 + l] = (A^T M A)[p] with M[xi] = m[mo + xi*xiStride + l], p = 2*row + column,
   * A^T = [[1,1,1,0],[0,1,-1,-1]]; the additions of WinogradLanes.outputTile, lane by lane.
   */
  static void winogradOutputTile(float[] m, int mo, int xiStride, float[] stage) {
    winogradOutputHalf(m, mo, xiStride, stage, 0);
    winogradOutputHalf(m, mo + L, xiStride, stage, L);
  }

  // one vector of the above: straight-line, so no vector crosses a loop or a merge (item 28)
  private static void winogradOutputHalf(float[] m, int b, int x, float[] stage, int so) {
    FloatVector s0 = FloatVector.fromArray(S, m, b).add(FloatVector.fromArray(S, m, b + 4 * x)).add(FloatVector.fromArray(S, m, b + 8 * x));
    FloatVector s1 = FloatVector.fromArray(S, m, b + x).add(FloatVector.fromArray(S, m, b + 5 * x)).add(FloatVector.fromArray(S, m, b + 9 * x));
    FloatVector s2 = FloatVector.fromArray(S, m, b + 2 * x).add(FloatVector.fromArray(S, m, b + 6 * x)).add(FloatVector.fromArray(S, m, b + 10 * x));
    FloatVector s3 = FloatVector.fromArray(S, m, b + 3 * x).add(FloatVector.fromArray(S, m, b + 7 * x)).add(FloatVector.fromArray(S, m, b + 11 * x));
    s0.add(s1).add(s2).intoArray(stage, so);
    s1.sub(s2).sub(s3).intoArray(stage, so + 32);
    FloatVector t0 = FloatVector.fromArray(S, m, b + 4 * x).sub(FloatVector.fromArray(S, m, b + 8 * x)).sub(FloatVector.fromArray(S, m, b + 12 * x));
    FloatVector t1 = FloatVector.fromArray(S, m, b + 5 * x).sub(FloatVector.fromArray(S, m, b + 9 * x)).sub(FloatVector.fromArray(S, m, b + 13 * x));
    FloatVector t2 = FloatVector.fromArray(S, m, b + 6 * x).sub(FloatVector.fromArray(S, m, b + 10 * x)).sub(FloatVector.fromArray(S, m, b + 14 * x));
    FloatVector t3 = FloatVector.fromArray(S, m, b + 7 * x).sub(FloatVector.fromArray(S, m, b + 11 * x)).sub(FloatVector.fromArray(S, m, b + 15 * x));
    t0.add(t1).add(t2).intoArray(stage, so + 64);
    t1.sub(t2).sub(t3).intoArray(stage, so + 96);
  }

  /**
   * {@link ChannelLaneConv}'s weight-gradient tile: part[po + (j*8 + i)*16 + l] continues its fma
   * chain over the output pixels e = (image, oy, ox) of imgs consecutive images, in that order, of
   * dyT[dyo + e*32 + j*16 + l] * xPad[tap + image*xImg + oy*rowStride + ox*ps + i] (as {@link
   * ChannelLaneConv#filterLanes32x8Scalar}). Walking rows, not a table of pixel offsets, keeps the
   * window's address out of memory: 88 to 93 against 99 to 108 GFLOP/s on one core in L2. {@link
   * WinogradLanes#backwardFilter} runs it on one long row (oh = 1); with one pixel per row instead,
   * its loop nest cost more than the 16 fma per pixel (half the speed, item 42).
   */
  static void filterLanes32x8(
      float[] dyT, int dyo, float[] xPad, int tap, int imgs, int oh, int ow, int xImg, int rowStride, int ps, float[] part, int po) {
    FloatVector a00 = FloatVector.fromArray(S, part, po + 0 * L);
    FloatVector a01 = FloatVector.fromArray(S, part, po + 1 * L);
    FloatVector a02 = FloatVector.fromArray(S, part, po + 2 * L);
    FloatVector a03 = FloatVector.fromArray(S, part, po + 3 * L);
    FloatVector a04 = FloatVector.fromArray(S, part, po + 4 * L);
    FloatVector a05 = FloatVector.fromArray(S, part, po + 5 * L);
    FloatVector a06 = FloatVector.fromArray(S, part, po + 6 * L);
    FloatVector a07 = FloatVector.fromArray(S, part, po + 7 * L);
    FloatVector a10 = FloatVector.fromArray(S, part, po + 8 * L);
    FloatVector a11 = FloatVector.fromArray(S, part, po + 9 * L);
    FloatVector a12 = FloatVector.fromArray(S, part, po + 10 * L);
    FloatVector a13 = FloatVector.fromArray(S, part, po + 11 * L);
    FloatVector a14 = FloatVector.fromArray(S, part, po + 12 * L);
    FloatVector a15 = FloatVector.fromArray(S, part, po + 13 * L);
    FloatVector a16 = FloatVector.fromArray(S, part, po + 14 * L);
    FloatVector a17 = FloatVector.fromArray(S, part, po + 15 * L);
    int di = dyo;
    for (int img = 0; img < imgs; img++) {
      for (int oy = 0; oy < oh; oy++) {
        int row = tap + img * xImg + oy * rowStride;
        for (int ox = 0; ox < ow; ox++, di += 32) {
          FloatVector d0 = FloatVector.fromArray(S, dyT, di), d1 = FloatVector.fromArray(S, dyT, di + L);
          int xi = row + ox * ps;
          FloatVector v;
          v = FloatVector.broadcast(S, xPad[xi]);
          a00 = d0.fma(v, a00);
          a10 = d1.fma(v, a10);
          v = FloatVector.broadcast(S, xPad[xi + 1]);
          a01 = d0.fma(v, a01);
          a11 = d1.fma(v, a11);
          v = FloatVector.broadcast(S, xPad[xi + 2]);
          a02 = d0.fma(v, a02);
          a12 = d1.fma(v, a12);
          v = FloatVector.broadcast(S, xPad[xi + 3]);
          a03 = d0.fma(v, a03);
          a13 = d1.fma(v, a13);
          v = FloatVector.broadcast(S, xPad[xi + 4]);
          a04 = d0.fma(v, a04);
          a14 = d1.fma(v, a14);
          v = FloatVector.broadcast(S, xPad[xi + 5]);
          a05 = d0.fma(v, a05);
          a15 = d1.fma(v, a15);
          v = FloatVector.broadcast(S, xPad[xi + 6]);
          a06 = d0.fma(v, a06);
          a16 = d1.fma(v, a16);
          v = FloatVector.broadcast(S, xPad[xi + 7]);
          a07 = d0.fma(v, a07);
          a17 = d1.fma(v, a17);
        }
      }
    }
    a00.intoArray(part, po + 0 * L);
    a01.intoArray(part, po + 1 * L);
    a02.intoArray(part, po + 2 * L);
    a03.intoArray(part, po + 3 * L);
    a04.intoArray(part, po + 4 * L);
    a05.intoArray(part, po + 5 * L);
    a06.intoArray(part, po + 6 * L);
    a07.intoArray(part, po + 7 * L);
    a10.intoArray(part, po + 8 * L);
    a11.intoArray(part, po + 9 * L);
    a12.intoArray(part, po + 10 * L);
    a13.intoArray(part, po + 11 * L);
    a14.intoArray(part, po + 12 * L);
    a15.intoArray(part, po + 13 * L);
    a16.intoArray(part, po + 14 * L);
    a17.intoArray(part, po + 15 * L);
  }

  /**
   * A transposing copy by gathers: dst[d + t*dstStride + l] = src[base + t*step + idx[l]] for t &lt;
   * count, l &lt; 16 (as {@link ChannelLaneConv#gatherRunsScalar}).
   */
  static void gatherRuns(float[] src, int base, int[] idx, int count, int step, float[] dst, int d, int dstStride) {
    for (int t = 0; t < count; t++) FloatVector.fromArray(S, src, base + t * step, idx, 0).intoArray(dst, d + t * dstStride);
  }

  // part[po + m*64 + j] += sum over p < len of rows[ro[m] + p] * tt[to + p*ts + j], m < 6, j < 64: one
  // fma chain per lane in p order (PointwiseOuterFilter)
  static void outerFilter6x64(float[] rows, int[] ro, float[] tt, int to, int ts, int len, float[] part, int po) {
    FloatVector a0_0 = FloatVector.fromArray(S, part, po + 0 * L), a0_1 = FloatVector.fromArray(S, part, po + 1 * L), a0_2 = FloatVector.fromArray(S, part, po + 2 * L), a0_3 = FloatVector.fromArray(S, part, po + 3 * L);
    FloatVector a1_0 = FloatVector.fromArray(S, part, po + 4 * L), a1_1 = FloatVector.fromArray(S, part, po + 5 * L), a1_2 = FloatVector.fromArray(S, part, po + 6 * L), a1_3 = FloatVector.fromArray(S, part, po + 7 * L);
    FloatVector a2_0 = FloatVector.fromArray(S, part, po + 8 * L), a2_1 = FloatVector.fromArray(S, part, po + 9 * L), a2_2 = FloatVector.fromArray(S, part, po + 10 * L), a2_3 = FloatVector.fromArray(S, part, po + 11 * L);
    FloatVector a3_0 = FloatVector.fromArray(S, part, po + 12 * L), a3_1 = FloatVector.fromArray(S, part, po + 13 * L), a3_2 = FloatVector.fromArray(S, part, po + 14 * L), a3_3 = FloatVector.fromArray(S, part, po + 15 * L);
    FloatVector a4_0 = FloatVector.fromArray(S, part, po + 16 * L), a4_1 = FloatVector.fromArray(S, part, po + 17 * L), a4_2 = FloatVector.fromArray(S, part, po + 18 * L), a4_3 = FloatVector.fromArray(S, part, po + 19 * L);
    FloatVector a5_0 = FloatVector.fromArray(S, part, po + 20 * L), a5_1 = FloatVector.fromArray(S, part, po + 21 * L), a5_2 = FloatVector.fromArray(S, part, po + 22 * L), a5_3 = FloatVector.fromArray(S, part, po + 23 * L);
    int r0 = ro[0], r1 = ro[1], r2 = ro[2], r3 = ro[3], r4 = ro[4], r5 = ro[5];
    for (int p = 0, ti = to; p < len; p++, ti += ts) {
      FloatVector t0 = FloatVector.fromArray(S, tt, ti);
      FloatVector t1 = FloatVector.fromArray(S, tt, ti + 16);
      FloatVector t2 = FloatVector.fromArray(S, tt, ti + 32);
      FloatVector t3 = FloatVector.fromArray(S, tt, ti + 48);
      FloatVector b0 = FloatVector.broadcast(S, rows[r0 + p]);
      a0_0 = b0.fma(t0, a0_0);
      a0_1 = b0.fma(t1, a0_1);
      a0_2 = b0.fma(t2, a0_2);
      a0_3 = b0.fma(t3, a0_3);
      FloatVector b1 = FloatVector.broadcast(S, rows[r1 + p]);
      a1_0 = b1.fma(t0, a1_0);
      a1_1 = b1.fma(t1, a1_1);
      a1_2 = b1.fma(t2, a1_2);
      a1_3 = b1.fma(t3, a1_3);
      FloatVector b2 = FloatVector.broadcast(S, rows[r2 + p]);
      a2_0 = b2.fma(t0, a2_0);
      a2_1 = b2.fma(t1, a2_1);
      a2_2 = b2.fma(t2, a2_2);
      a2_3 = b2.fma(t3, a2_3);
      FloatVector b3 = FloatVector.broadcast(S, rows[r3 + p]);
      a3_0 = b3.fma(t0, a3_0);
      a3_1 = b3.fma(t1, a3_1);
      a3_2 = b3.fma(t2, a3_2);
      a3_3 = b3.fma(t3, a3_3);
      FloatVector b4 = FloatVector.broadcast(S, rows[r4 + p]);
      a4_0 = b4.fma(t0, a4_0);
      a4_1 = b4.fma(t1, a4_1);
      a4_2 = b4.fma(t2, a4_2);
      a4_3 = b4.fma(t3, a4_3);
      FloatVector b5 = FloatVector.broadcast(S, rows[r5 + p]);
      a5_0 = b5.fma(t0, a5_0);
      a5_1 = b5.fma(t1, a5_1);
      a5_2 = b5.fma(t2, a5_2);
      a5_3 = b5.fma(t3, a5_3);
    }
    a0_0.intoArray(part, po + 0 * L);
    a0_1.intoArray(part, po + 1 * L);
    a0_2.intoArray(part, po + 2 * L);
    a0_3.intoArray(part, po + 3 * L);
    a1_0.intoArray(part, po + 4 * L);
    a1_1.intoArray(part, po + 5 * L);
    a1_2.intoArray(part, po + 6 * L);
    a1_3.intoArray(part, po + 7 * L);
    a2_0.intoArray(part, po + 8 * L);
    a2_1.intoArray(part, po + 9 * L);
    a2_2.intoArray(part, po + 10 * L);
    a2_3.intoArray(part, po + 11 * L);
    a3_0.intoArray(part, po + 12 * L);
    a3_1.intoArray(part, po + 13 * L);
    a3_2.intoArray(part, po + 14 * L);
    a3_3.intoArray(part, po + 15 * L);
    a4_0.intoArray(part, po + 16 * L);
    a4_1.intoArray(part, po + 17 * L);
    a4_2.intoArray(part, po + 18 * L);
    a4_3.intoArray(part, po + 19 * L);
    a5_0.intoArray(part, po + 20 * L);
    a5_1.intoArray(part, po + 21 * L);
    a5_2.intoArray(part, po + 22 * L);
    a5_3.intoArray(part, po + 23 * L);
  }

  // part[po + m*32 + j] += sum over p < len of rows[ro[m] + p] * tt[to + p*ts + j], m < 12, j < 32: one
  // fma chain per lane in p order (PointwiseOuterFilter)
  static void outerFilter12x32(float[] rows, int[] ro, float[] tt, int to, int ts, int len, float[] part, int po) {
    FloatVector a0_0 = FloatVector.fromArray(S, part, po + 0 * L), a0_1 = FloatVector.fromArray(S, part, po + 1 * L);
    FloatVector a1_0 = FloatVector.fromArray(S, part, po + 2 * L), a1_1 = FloatVector.fromArray(S, part, po + 3 * L);
    FloatVector a2_0 = FloatVector.fromArray(S, part, po + 4 * L), a2_1 = FloatVector.fromArray(S, part, po + 5 * L);
    FloatVector a3_0 = FloatVector.fromArray(S, part, po + 6 * L), a3_1 = FloatVector.fromArray(S, part, po + 7 * L);
    FloatVector a4_0 = FloatVector.fromArray(S, part, po + 8 * L), a4_1 = FloatVector.fromArray(S, part, po + 9 * L);
    FloatVector a5_0 = FloatVector.fromArray(S, part, po + 10 * L), a5_1 = FloatVector.fromArray(S, part, po + 11 * L);
    FloatVector a6_0 = FloatVector.fromArray(S, part, po + 12 * L), a6_1 = FloatVector.fromArray(S, part, po + 13 * L);
    FloatVector a7_0 = FloatVector.fromArray(S, part, po + 14 * L), a7_1 = FloatVector.fromArray(S, part, po + 15 * L);
    FloatVector a8_0 = FloatVector.fromArray(S, part, po + 16 * L), a8_1 = FloatVector.fromArray(S, part, po + 17 * L);
    FloatVector a9_0 = FloatVector.fromArray(S, part, po + 18 * L), a9_1 = FloatVector.fromArray(S, part, po + 19 * L);
    FloatVector a10_0 = FloatVector.fromArray(S, part, po + 20 * L), a10_1 = FloatVector.fromArray(S, part, po + 21 * L);
    FloatVector a11_0 = FloatVector.fromArray(S, part, po + 22 * L), a11_1 = FloatVector.fromArray(S, part, po + 23 * L);
    int r0 = ro[0], r1 = ro[1], r2 = ro[2], r3 = ro[3], r4 = ro[4], r5 = ro[5], r6 = ro[6], r7 = ro[7], r8 = ro[8], r9 = ro[9], r10 = ro[10], r11 = ro[11];
    for (int p = 0, ti = to; p < len; p++, ti += ts) {
      FloatVector t0 = FloatVector.fromArray(S, tt, ti);
      FloatVector t1 = FloatVector.fromArray(S, tt, ti + 16);
      FloatVector b0 = FloatVector.broadcast(S, rows[r0 + p]);
      a0_0 = b0.fma(t0, a0_0);
      a0_1 = b0.fma(t1, a0_1);
      FloatVector b1 = FloatVector.broadcast(S, rows[r1 + p]);
      a1_0 = b1.fma(t0, a1_0);
      a1_1 = b1.fma(t1, a1_1);
      FloatVector b2 = FloatVector.broadcast(S, rows[r2 + p]);
      a2_0 = b2.fma(t0, a2_0);
      a2_1 = b2.fma(t1, a2_1);
      FloatVector b3 = FloatVector.broadcast(S, rows[r3 + p]);
      a3_0 = b3.fma(t0, a3_0);
      a3_1 = b3.fma(t1, a3_1);
      FloatVector b4 = FloatVector.broadcast(S, rows[r4 + p]);
      a4_0 = b4.fma(t0, a4_0);
      a4_1 = b4.fma(t1, a4_1);
      FloatVector b5 = FloatVector.broadcast(S, rows[r5 + p]);
      a5_0 = b5.fma(t0, a5_0);
      a5_1 = b5.fma(t1, a5_1);
      FloatVector b6 = FloatVector.broadcast(S, rows[r6 + p]);
      a6_0 = b6.fma(t0, a6_0);
      a6_1 = b6.fma(t1, a6_1);
      FloatVector b7 = FloatVector.broadcast(S, rows[r7 + p]);
      a7_0 = b7.fma(t0, a7_0);
      a7_1 = b7.fma(t1, a7_1);
      FloatVector b8 = FloatVector.broadcast(S, rows[r8 + p]);
      a8_0 = b8.fma(t0, a8_0);
      a8_1 = b8.fma(t1, a8_1);
      FloatVector b9 = FloatVector.broadcast(S, rows[r9 + p]);
      a9_0 = b9.fma(t0, a9_0);
      a9_1 = b9.fma(t1, a9_1);
      FloatVector b10 = FloatVector.broadcast(S, rows[r10 + p]);
      a10_0 = b10.fma(t0, a10_0);
      a10_1 = b10.fma(t1, a10_1);
      FloatVector b11 = FloatVector.broadcast(S, rows[r11 + p]);
      a11_0 = b11.fma(t0, a11_0);
      a11_1 = b11.fma(t1, a11_1);
    }
    a0_0.intoArray(part, po + 0 * L);
    a0_1.intoArray(part, po + 1 * L);
    a1_0.intoArray(part, po + 2 * L);
    a1_1.intoArray(part, po + 3 * L);
    a2_0.intoArray(part, po + 4 * L);
    a2_1.intoArray(part, po + 5 * L);
    a3_0.intoArray(part, po + 6 * L);
    a3_1.intoArray(part, po + 7 * L);
    a4_0.intoArray(part, po + 8 * L);
    a4_1.intoArray(part, po + 9 * L);
    a5_0.intoArray(part, po + 10 * L);
    a5_1.intoArray(part, po + 11 * L);
    a6_0.intoArray(part, po + 12 * L);
    a6_1.intoArray(part, po + 13 * L);
    a7_0.intoArray(part, po + 14 * L);
    a7_1.intoArray(part, po + 15 * L);
    a8_0.intoArray(part, po + 16 * L);
    a8_1.intoArray(part, po + 17 * L);
    a9_0.intoArray(part, po + 18 * L);
    a9_1.intoArray(part, po + 19 * L);
    a10_0.intoArray(part, po + 20 * L);
    a10_1.intoArray(part, po + 21 * L);
    a11_0.intoArray(part, po + 22 * L);
    a11_1.intoArray(part, po + 23 * L);
  }

  // part[po + m*16 + j] += sum over p < len of rows[ro[m] + p] * tt[to + p*ts + j], m < 16, j < 16: one
  // fma chain per lane in p order (PointwiseOuterFilter)
  static void outerFilter16x16(float[] rows, int[] ro, float[] tt, int to, int ts, int len, float[] part, int po) {
    FloatVector a0_0 = FloatVector.fromArray(S, part, po + 0 * L);
    FloatVector a1_0 = FloatVector.fromArray(S, part, po + 1 * L);
    FloatVector a2_0 = FloatVector.fromArray(S, part, po + 2 * L);
    FloatVector a3_0 = FloatVector.fromArray(S, part, po + 3 * L);
    FloatVector a4_0 = FloatVector.fromArray(S, part, po + 4 * L);
    FloatVector a5_0 = FloatVector.fromArray(S, part, po + 5 * L);
    FloatVector a6_0 = FloatVector.fromArray(S, part, po + 6 * L);
    FloatVector a7_0 = FloatVector.fromArray(S, part, po + 7 * L);
    FloatVector a8_0 = FloatVector.fromArray(S, part, po + 8 * L);
    FloatVector a9_0 = FloatVector.fromArray(S, part, po + 9 * L);
    FloatVector a10_0 = FloatVector.fromArray(S, part, po + 10 * L);
    FloatVector a11_0 = FloatVector.fromArray(S, part, po + 11 * L);
    FloatVector a12_0 = FloatVector.fromArray(S, part, po + 12 * L);
    FloatVector a13_0 = FloatVector.fromArray(S, part, po + 13 * L);
    FloatVector a14_0 = FloatVector.fromArray(S, part, po + 14 * L);
    FloatVector a15_0 = FloatVector.fromArray(S, part, po + 15 * L);
    int r0 = ro[0], r1 = ro[1], r2 = ro[2], r3 = ro[3], r4 = ro[4], r5 = ro[5], r6 = ro[6], r7 = ro[7], r8 = ro[8], r9 = ro[9], r10 = ro[10], r11 = ro[11], r12 = ro[12], r13 = ro[13], r14 = ro[14], r15 = ro[15];
    for (int p = 0, ti = to; p < len; p++, ti += ts) {
      FloatVector t0 = FloatVector.fromArray(S, tt, ti);
      FloatVector b0 = FloatVector.broadcast(S, rows[r0 + p]);
      a0_0 = b0.fma(t0, a0_0);
      FloatVector b1 = FloatVector.broadcast(S, rows[r1 + p]);
      a1_0 = b1.fma(t0, a1_0);
      FloatVector b2 = FloatVector.broadcast(S, rows[r2 + p]);
      a2_0 = b2.fma(t0, a2_0);
      FloatVector b3 = FloatVector.broadcast(S, rows[r3 + p]);
      a3_0 = b3.fma(t0, a3_0);
      FloatVector b4 = FloatVector.broadcast(S, rows[r4 + p]);
      a4_0 = b4.fma(t0, a4_0);
      FloatVector b5 = FloatVector.broadcast(S, rows[r5 + p]);
      a5_0 = b5.fma(t0, a5_0);
      FloatVector b6 = FloatVector.broadcast(S, rows[r6 + p]);
      a6_0 = b6.fma(t0, a6_0);
      FloatVector b7 = FloatVector.broadcast(S, rows[r7 + p]);
      a7_0 = b7.fma(t0, a7_0);
      FloatVector b8 = FloatVector.broadcast(S, rows[r8 + p]);
      a8_0 = b8.fma(t0, a8_0);
      FloatVector b9 = FloatVector.broadcast(S, rows[r9 + p]);
      a9_0 = b9.fma(t0, a9_0);
      FloatVector b10 = FloatVector.broadcast(S, rows[r10 + p]);
      a10_0 = b10.fma(t0, a10_0);
      FloatVector b11 = FloatVector.broadcast(S, rows[r11 + p]);
      a11_0 = b11.fma(t0, a11_0);
      FloatVector b12 = FloatVector.broadcast(S, rows[r12 + p]);
      a12_0 = b12.fma(t0, a12_0);
      FloatVector b13 = FloatVector.broadcast(S, rows[r13 + p]);
      a13_0 = b13.fma(t0, a13_0);
      FloatVector b14 = FloatVector.broadcast(S, rows[r14 + p]);
      a14_0 = b14.fma(t0, a14_0);
      FloatVector b15 = FloatVector.broadcast(S, rows[r15 + p]);
      a15_0 = b15.fma(t0, a15_0);
    }
    a0_0.intoArray(part, po + 0 * L);
    a1_0.intoArray(part, po + 1 * L);
    a2_0.intoArray(part, po + 2 * L);
    a3_0.intoArray(part, po + 3 * L);
    a4_0.intoArray(part, po + 4 * L);
    a5_0.intoArray(part, po + 5 * L);
    a6_0.intoArray(part, po + 6 * L);
    a7_0.intoArray(part, po + 7 * L);
    a8_0.intoArray(part, po + 8 * L);
    a9_0.intoArray(part, po + 9 * L);
    a10_0.intoArray(part, po + 10 * L);
    a11_0.intoArray(part, po + 11 * L);
    a12_0.intoArray(part, po + 12 * L);
    a13_0.intoArray(part, po + 13 * L);
    a14_0.intoArray(part, po + 14 * L);
    a15_0.intoArray(part, po + 15 * L);
  }
}
