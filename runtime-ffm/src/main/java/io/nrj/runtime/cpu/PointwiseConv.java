package io.nrj.runtime.cpu;

import static io.nrj.runtime.cpu.CpuBackend.F;

import io.nrj.runtime.ConvGeom;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * 1x1 stride-1 convolution without padding: per image a plain matrix product on the NCHW planes,
 * read and written in place (no im2col, no padded copies). Most of a bottleneck ResNet's layers.
 *
 * <ul>
 *   <li>forward: y_b (K, HW) = W (K, C) x_b (C, HW), tiles of 8 output channels by 32 pixels;
 *   <li>backward data: dx_b (C, HW) += W^T (C, K) dy_b (K, HW);
 *   <li>backward filter: dW (K, C) += sum over b of dy_b (K, HW) x_b^T (HW, C), as vector lane
 *       partial sums over the pixels per (4 k) x (6 c) tile, images in chunks that stay in L2.
 * </ul>
 *
 * The same fixed summation order per element as {@link DirectConv} (which it specialises), so
 * results do not depend on the thread count and the scalar fallback gives the same bits.
 */
final class PointwiseConv {
  private PointwiseConv() {}

  static final int MR = DirectConv.MR, TW = DirectConv.TW, FK = DirectConv.FK, FJ = DirectConv.FJ;
  static final int LANES = DirectConv.LANES;

  /** Whether this path applies: a 1x1 kernel, stride 1, no padding. */
  static boolean supports(ConvGeom g) {
    return g.r() == 1 && g.s() == 1 && g.stride() == 1 && g.pad() == 0;
  }

  static void forward(CpuThreads pool, boolean vector, DirectConv.Work[] work, MemorySegment x, MemorySegment w, MemorySegment y, ConvGeom g) {
    int c = g.c(), k = g.k(), hw = g.h() * g.w();
    float[] wpk = pack(work[0], w, k, c, false);
    pool.parallelFor(g.n(), (tid, b0, b1) -> {
      float[] tile = work[tid].tile;
      for (int b = b0; b < b1; b++) product(vector, x, (long) b * c * hw, c, wpk, k, tile, y, (long) b * k * hw, hw, false);
    });
  }

  static void backwardData(CpuThreads pool, boolean vector, DirectConv.Work[] work, MemorySegment dy, MemorySegment w, MemorySegment dx, ConvGeom g) {
    int c = g.c(), k = g.k(), hw = g.h() * g.w();
    float[] wpk = pack(work[0], w, c, k, true);
    pool.parallelFor(g.n(), (tid, b0, b1) -> {
      float[] tile = work[tid].tile;
      for (int b = b0; b < b1; b++) product(vector, dy, (long) b * k * hw, k, wpk, c, tile, dx, (long) b * c * hw, hw, true);
    });
  }

  // dst[(o/MR)*nq*MR + q*MR + o%MR] = w[o, q] (or w[q, o] when transposed), zero for o >= outs
  private static float[] pack(DirectConv.Work wk, MemorySegment w, int outs, int nq, boolean transposed) {
    int blocks = (outs + MR - 1) / MR;
    if (wk.wpk.length < blocks * nq * MR) wk.wpk = new float[blocks * nq * MR];
    float[] dst = wk.wpk;
    for (int o = 0; o < blocks * MR; o++) {
      int base = (o / MR) * nq * MR + o % MR;
      for (int q = 0; q < nq; q++) {
        dst[base + q * MR] = o >= outs ? 0f : w.getAtIndex(F, transposed ? (long) q * outs + o : (long) o * nq + q);
      }
    }
    return dst;
  }

  // out (outs, hw) at outOff (+)= wpk (outs, nq) * in (nq, hw) at inOff
  private static void product(
      boolean vector, MemorySegment in, long inOff, int nq, float[] wpk, int outs, float[] tile, MemorySegment out, long outOff, int hw, boolean add) {
    for (int j0 = 0; j0 < hw; j0 += TW) {
      int cols = Math.min(TW, hw - j0);
      for (int ob = 0; ob < outs; ob += MR) {
        int rows = Math.min(MR, outs - ob);
        long o = outOff + (long) ob * hw + j0;
        if (vector) {
          VectorKernels.pointwise8x32(in, inOff + j0, hw, nq, wpk, ob * nq, cols, tile);
          VectorKernels.copyRowsOut(tile, 0, TW, rows, cols, out, o, hw, add);
        } else {
          pointwise8x32Scalar(in, inOff + j0, hw, nq, wpk, ob * nq, cols, tile);
          for (int m = 0; m < rows; m++) Sgemm.addRun(false, tile, m * TW, out, o + (long) m * hw, cols, add);
        }
      }
    }
  }

  // tile[m*TW + j] = sum over q < nq of wpk[wo + q*MR + m] * in[i + q*ldi + j], m < MR, j < cols, in q order
  static void pointwise8x32Scalar(MemorySegment in, long i, long ldi, int nq, float[] wpk, int wo, int cols, float[] tile) {
    Arrays.fill(tile, 0f);
    for (int q = 0; q < nq; q++) {
      long si = i + q * ldi;
      for (int m = 0; m < MR; m++) {
        float a = wpk[wo + q * MR + m];
        for (int j = 0; j < cols; j++) tile[m * TW + j] = Math.fma(a, in.getAtIndex(F, si + j), tile[m * TW + j]);
      }
    }
  }

  // ---- backward filter: dW (k, c) += sum over images and pixels of dy[k, p] * x[c, p] ----

  static void backwardFilter(CpuThreads pool, boolean vector, DirectConv.FilterBuffers fb, MemorySegment x, MemorySegment dy, MemorySegment dw, ConvGeom g) {
    int n = g.n(), c = g.c(), k = g.k(), hw = g.h() * g.w();
    int nvec = hw / LANES, rest = hw - nvec * LANES; // the last rest pixels of each plane: scalar
    int kBlocks = (k + FK - 1) / FK, jBlocks = (c + FJ - 1) / FJ, tasks = kBlocks * jBlocks;
    int tileFloats = FK * FJ * LANES;
    float[] part = fb.part(tasks * tileFloats);
    Arrays.fill(part, 0, tasks * tileFloats, 0f);
    int chunk = Math.max(1, Math.min(n, DirectConv.CHUNK_FLOATS / ((c + k) * hw)));
    for (int b0 = 0; b0 < n; b0 += chunk) {
      int first = b0, nimg = Math.min(chunk, n - b0);
      pool.parallelFor(tasks, (tid, t0, t1) -> {
        long[] dyo = new long[FK], xo = new long[FJ];
        for (int t = t0; t < t1; t++) {
          int kb = t / jBlocks, jb = t % jBlocks;
          for (int m = 0; m < FK; m++) dyo[m] = ((long) first * k + Math.min(kb * FK + m, k - 1)) * hw;
          for (int j = 0; j < FJ; j++) xo[j] = ((long) first * c + Math.min(jb * FJ + j, c - 1)) * hw;
          if (vector) {
            VectorKernels.pointwiseFilter4x6(dy, dyo, (long) k * hw, x, xo, (long) c * hw, nimg, nvec, part, t * tileFloats);
          } else {
            pointwiseFilter4x6Scalar(dy, dyo, (long) k * hw, x, xo, (long) c * hw, nimg, nvec, part, t * tileFloats);
          }
        }
      });
    }
    pool.parallelFor(tasks, (tid, t0, t1) -> {
      for (int t = t0; t < t1; t++) {
        int kb = t / jBlocks, jb = t % jBlocks;
        for (int m = 0; m < FK && kb * FK + m < k; m++) {
          for (int j = 0; j < FJ && jb * FJ + j < c; j++) {
            int ki = kb * FK + m, ci = jb * FJ + j;
            double sum = 0;
            int o = t * tileFloats + (m * FJ + j) * LANES;
            for (int l = 0; l < LANES; l++) sum += part[o + l];
            // pixels past the last full vector of each plane (hw not a multiple of 16), in order
            for (int b = 0; b < n && rest > 0; b++) {
              long dyr = ((long) b * k + ki) * hw + nvec * LANES, xr = ((long) b * c + ci) * hw + nvec * LANES;
              for (int u = 0; u < rest; u++) sum += (double) dy.getAtIndex(F, dyr + u) * x.getAtIndex(F, xr + u);
            }
            long e = (long) ki * c + ci;
            dw.setAtIndex(F, e, (float) (dw.getAtIndex(F, e) + sum));
          }
        }
      }
    });
  }

  // part[po + (m*FJ + j)*LANES + l] += sum over images b and t of dy[dyo[m] + b*dyStride + t*LANES + l]
  //   * x[xo[j] + b*xStride + t*LANES + l], one fma chain per lane in (image, t) order
  static void pointwiseFilter4x6Scalar(
      MemorySegment dy, long[] dyo, long dyStride, MemorySegment x, long[] xo, long xStride, int nimg, int nvec, float[] part, int po) {
    for (int m = 0; m < FK; m++) {
      for (int j = 0; j < FJ; j++) {
        int o = po + (m * FJ + j) * LANES;
        for (int l = 0; l < LANES; l++) {
          float acc = part[o + l];
          for (int b = 0; b < nimg; b++) {
            long di = dyo[m] + b * dyStride + l, xi = xo[j] + b * xStride + l;
            for (int t = 0; t < nvec; t++) acc = Math.fma(dy.getAtIndex(F, di + (long) t * LANES), x.getAtIndex(F, xi + (long) t * LANES), acc);
          }
          part[o + l] = acc;
        }
      }
    }
  }
}
