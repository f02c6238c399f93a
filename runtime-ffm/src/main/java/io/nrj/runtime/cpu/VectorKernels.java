package io.nrj.runtime.cpu;

import static io.nrj.runtime.cpu.Sgemm.MR;
import static io.nrj.runtime.cpu.Sgemm.NR;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
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
}
