package io.nrj.runtime.cpu;

import java.lang.foreign.MemorySegment;

/**
 * Blocked single-precision matrix multiply C[M,N] (+)= A[M,K] * B[K,N] in the GotoBLAS shape: A
 * and B are packed block by block into thread-local panels (MR rows of A, NR columns of B, zero
 * padded at the edges) by caller-supplied packers, and an MR x NR register-blocked micro-kernel
 * ({@link VectorKernels}, or a scalar fallback that gives the same bits) multiplies them. Packers
 * let convolution feed im2col columns straight into the panels (implicit GEMM) instead of
 * materialising a column matrix.
 *
 * <p>Every element of C is summed in a fixed order (K blocks of KC in order, p in order inside a
 * block) by exactly one thread, whatever the thread split, so results do not depend on the thread
 * count. Not a general BLAS: no alpha/beta, no transposes other than what packers do.
 */
final class Sgemm {
  /** Micro-tile: MR rows of A by NR columns of B (two 512-bit vectors). */
  static final int MR = 8, NR = 32;
  /** Cache blocks: a KC x NC block of B (L2), an MC x KC block of A, a KC x NR sliver of B (L1). */
  static final int KC = 256, MC = 64, NC = 64 * NR;

  /** Packs A[i0:i0+mc, p0:p0+kc] as panels of MR rows: dst[(i/MR)*kc*MR + p*MR + i%MR]. */
  @FunctionalInterface
  interface PackA {
    void pack(float[] dst, int i0, int mc, int p0, int kc);
  }

  /** Packs B[p0:p0+kc, j0:j0+nc] as panels of NR columns: dst[(j/NR)*kc*NR + p*NR + j%NR]. */
  @FunctionalInterface
  interface PackB {
    void pack(float[] dst, int p0, int kc, int j0, int nc);
  }

  /**
   * Adds (or, when {@code first} and not accumulating, stores) an mr x nr tile at C[i0, j0]; the
   * tile is row-major with row length NR.
   */
  @FunctionalInterface
  interface StoreC {
    void store(float[] tile, int i0, int j0, int mr, int nr, boolean first);
  }

  /** Per-thread packing buffers. */
  static final class Work {
    final float[] a = new float[MC * KC];
    final float[] b = new float[KC * NC];
    final float[] tile = new float[MR * NR];
    /** Scratch for a column matrix (backward data), grown on demand. */
    float[] col = new float[0];

    float[] col(int n) {
      if (col.length < n) col = new float[n];
      return col;
    }

    /** Scratch for a heap copy of some images (col2im target), grown on demand. */
    float[] heap = new float[0];

    float[] heap(int n) {
      if (heap.length < n) heap = new float[n];
      return heap;
    }
  }

  private Sgemm() {}

  /**
   * Products smaller than this many multiply-adds take the scalar kernel even on the vector path:
   * it gives the same bits, and Vector API code is very slow until C2 has compiled it.
   */
  static final long VECTOR_MIN_MACS = 1 << 15;

  /** The C[M,N] product on one thread, over rows [m0, m1) and columns [n0, n1). */
  static void run(boolean vector, Work w, int m0, int m1, int n0, int n1, int k, PackA pa, PackB pb, StoreC sc) {
    vector &= (long) (m1 - m0) * (n1 - n0) * k >= VECTOR_MIN_MACS;
    for (int jc = n0; jc < n1; jc += NC) {
      int nc = Math.min(NC, n1 - jc);
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        pb.pack(w.b, pc, kc, jc, nc);
        for (int ic = m0; ic < m1; ic += MC) {
          int mc = Math.min(MC, m1 - ic);
          pa.pack(w.a, ic, mc, pc, kc);
          for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            for (int ir = 0; ir < mc; ir += MR) {
              int mr = Math.min(MR, mc - ir);
              if (vector) VectorKernels.gemm8x32(w.a, ir * kc, w.b, jr * kc, kc, w.tile);
              else kernelScalar(w.a, ir * kc, w.b, jr * kc, kc, w.tile);
              sc.store(w.tile, ic + ir, jc + jr, mr, nr, pc == 0);
            }
          }
        }
      }
    }
  }

  /**
   * The whole product over the pool: C is split statically into column panels (or row panels when
   * there are more of those), one contiguous range per thread.
   */
  static void parallel(CpuThreads pool, boolean vector, Work[] work, int m, int n, int k, PackA pa, PackB pb, StoreC sc) {
    int panelsM = (m + MR - 1) / MR, panelsN = (n + NR - 1) / NR;
    int t = pool.threads();
    if (panelsN >= t * 2 || panelsN >= panelsM) {
      pool.parallelFor(panelsN, (tid, p0, p1) -> run(vector, work[tid], 0, m, p0 * NR, Math.min(n, p1 * NR), k, pa, pb, sc));
    } else {
      pool.parallelFor(panelsM, (tid, p0, p1) -> run(vector, work[tid], p0 * MR, Math.min(m, p1 * MR), 0, n, k, pa, pb, sc));
    }
  }

  // the same product with scalar fma in the same order per element (the nrj.cpu.vector=false path)
  static void kernelScalar(float[] a, int ao, float[] b, int bo, int kc, float[] tile) {
    java.util.Arrays.fill(tile, 0f);
    for (int p = 0; p < kc; p++) {
      int bi = bo + p * NR, ai = ao + p * MR;
      for (int i = 0; i < MR; i++) {
        float av = a[ai + i];
        int t = i * NR;
        for (int j = 0; j < NR; j++) tile[t + j] = Math.fma(av, b[bi + j], tile[t + j]);
      }
    }
  }

  // ---- common packers and stores ----

  private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[KC]);

  /**
   * A per-thread row of at least n floats for the transposing packers: element-wise reads from a
   * memory segment cost several times a bulk copy plus array reads.
   */
  private static float[] rowBuffer(int n) {
    float[] r = ROW.get();
    if (r.length < n) ROW.set(r = new float[n]);
    return r;
  }

  /** A packer for a strided matrix: A(i, p) = seg[off + i*rs + p*cs]. */
  static PackA stridedA(MemorySegment seg, long off, long rs, long cs) {
    return (dst, i0, mc, p0, kc) -> {
      for (int ip = 0; ip < mc; ip += MR) {
        int base = ip * kc, rows = Math.min(MR, mc - ip);
        if (cs == 1) {
          // rows are contiguous: each row copied out in bulk, then spread with stride MR
          float[] row = rowBuffer(kc);
          for (int i = 0; i < rows; i++) {
            MemorySegment.copy(seg, CpuBackend.F, (off + (long) (i0 + ip + i) * rs + p0) * Float.BYTES, row, 0, kc);
            for (int p = 0; p < kc; p++) dst[base + p * MR + i] = row[p];
          }
          for (int i = rows; i < MR; i++) {
            for (int p = 0; p < kc; p++) dst[base + p * MR + i] = 0f;
          }
          continue;
        }
        for (int p = 0; p < kc; p++) {
          long src = off + (long) (i0 + ip) * rs + (long) (p0 + p) * cs;
          int d = base + p * MR;
          for (int i = 0; i < rows; i++) dst[d + i] = seg.getAtIndex(CpuBackend.F, src + i * rs);
          for (int i = rows; i < MR; i++) dst[d + i] = 0f;
        }
      }
    };
  }

  /** A packer for a strided matrix: B(p, j) = seg[off + p*rs + j*cs]. */
  static PackB stridedB(MemorySegment seg, long off, long rs, long cs) {
    return (dst, p0, kc, j0, nc) -> {
      for (int jp = 0; jp < nc; jp += NR) {
        int base = jp * kc, cols = Math.min(NR, nc - jp);
        if (rs == 1 && cs != 1) {
          // columns are contiguous (a transposed operand): each copied out in bulk, then spread
          float[] col = rowBuffer(kc);
          for (int j = 0; j < cols; j++) {
            MemorySegment.copy(seg, CpuBackend.F, (off + (long) (j0 + jp + j) * cs + p0) * Float.BYTES, col, 0, kc);
            for (int p = 0; p < kc; p++) dst[base + p * NR + j] = col[p];
          }
          if (cols < NR) {
            for (int p = 0; p < kc; p++) java.util.Arrays.fill(dst, base + p * NR + cols, base + p * NR + NR, 0f);
          }
          continue;
        }
        for (int p = 0; p < kc; p++) {
          long src = off + (long) (p0 + p) * rs + (long) (j0 + jp) * cs;
          int d = base + p * NR;
          if (cs == 1) {
            MemorySegment.copy(seg, CpuBackend.F, src * Float.BYTES, dst, d, cols);
          } else {
            for (int j = 0; j < cols; j++) dst[d + j] = seg.getAtIndex(CpuBackend.F, src + j * cs);
          }
          for (int j = cols; j < NR; j++) dst[d + j] = 0f;
        }
      }
    };
  }

  /** A store into a row-major C: C(i, j) at seg[off + i*ldc + j]. */
  static StoreC rowMajorC(boolean vector, MemorySegment seg, long off, long ldc, boolean accumulate) {
    return (tile, i0, j0, mr, nr, first) -> {
      boolean add = accumulate || !first;
      for (int i = 0; i < mr; i++) addRun(vector, tile, i * NR, seg, off + (long) (i0 + i) * ldc + j0, nr, add);
    };
  }

  /**
   * A store into C whose columns are (image, pixel) pairs of an (n, rows, p) tensor: C(i, j) at
   * seg[off + (j/p)*rows*p + i*p + j%p]. A tile may straddle images; it is stored run by run.
   */
  static StoreC imageBlockedC(boolean vector, MemorySegment seg, long off, int rows, int p, boolean accumulate) {
    return (tile, i0, j0, mr, nr, first) -> {
      boolean add = accumulate || !first;
      int j = 0;
      while (j < nr) {
        int img = (j0 + j) / p, pix = (j0 + j) - img * p;
        int len = Math.min(nr - j, p - pix);
        long base = off + (long) img * rows * p + pix;
        for (int i = 0; i < mr; i++) addRun(vector, tile, i * NR + j, seg, base + (long) (i0 + i) * p, len, add);
        j += len;
      }
    };
  }

  /** A store into a row-major float[] C with row length ldc (always overwrites on the first block). */
  static StoreC arrayC(float[] c, int ldc) {
    return (tile, i0, j0, mr, nr, first) -> {
      for (int i = 0; i < mr; i++) {
        int d = (i0 + i) * ldc + j0, t = i * NR;
        if (first) System.arraycopy(tile, t, c, d, nr);
        else for (int j = 0; j < nr; j++) c[d + j] += tile[t + j];
      }
    };
  }

  /** seg[d, d+len) (+)= tile[t, t+len). */
  static void addRun(boolean vector, float[] tile, int t, MemorySegment seg, long d, int len, boolean add) {
    if (vector) {
      VectorKernels.addRun(tile, t, seg, d, len, add);
      return;
    }
    for (int j = 0; j < len; j++) {
      float v = tile[t + j];
      if (add) v += seg.getAtIndex(CpuBackend.F, d + j);
      seg.setAtIndex(CpuBackend.F, d + j, v);
    }
  }

  /**
   * A packer for a matrix whose columns are (image, pixel) pairs of an (n, rows, p) tensor:
   * B(q, j) = seg[off + (j/p)*rows*p + q*p + j%p].
   */
  static PackB imageBlockedB(MemorySegment seg, long off, int rows, int p) {
    return (dst, p0, kc, j0, nc) -> {
      for (int jp = 0; jp < nc; jp += NR) {
        int base = jp * kc, cols = Math.min(NR, nc - jp);
        int j = 0;
        while (j < cols) {
          int img = (j0 + jp + j) / p, pix = (j0 + jp + j) - img * p;
          int len = Math.min(cols - j, p - pix);
          long src = off + (long) img * rows * p + pix;
          for (int q = 0; q < kc; q++) {
            MemorySegment.copy(seg, CpuBackend.F, (src + (long) (p0 + q) * p) * Float.BYTES, dst, base + q * NR + j, len);
          }
          j += len;
        }
        if (cols < NR) {
          for (int q = 0; q < kc; q++) java.util.Arrays.fill(dst, base + q * NR + cols, base + q * NR + NR, 0f);
        }
      }
    };
  }

  /**
   * A packer for a matrix whose columns (the reduction index) are (image, pixel) pairs of an (n,
   * rows, p) tensor: A(i, q) = seg[off + (q/p)*rows*p + i*p + q%p].
   */
  static PackA imageBlockedA(MemorySegment seg, long off, int rows, int p) {
    return (dst, i0, mc, p0, kc) -> {
      for (int ip = 0; ip < mc; ip += MR) {
        int base = ip * kc, nrows = Math.min(MR, mc - ip);
        for (int i = 0; i < MR; i++) {
          if (i >= nrows) {
            for (int q = 0; q < kc; q++) dst[base + q * MR + i] = 0f;
            continue;
          }
          int q = 0;
          while (q < kc) {
            int img = (p0 + q) / p, pix = (p0 + q) - img * p;
            int len = Math.min(kc - q, p - pix);
            long src = off + (long) img * rows * p + (long) (i0 + ip + i) * p + pix;
            for (int u = 0; u < len; u++) dst[base + (q + u) * MR + i] = seg.getAtIndex(CpuBackend.F, src + u);
            q += len;
          }
        }
      }
    };
  }
}
