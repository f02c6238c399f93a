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
 *       partial sums over the pixels per (4 k) x (6 c) tile, images in chunks that stay in L2; from
 *       32 channels on both sides as outer products instead ({@link PointwiseOuterFilter}).
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
    float[] wpk = DirectConv.packRows(work[0].wpk(k, c), w, k, MR, c);
    pool.parallelForDynamic(g.n(), DirectConv.IMAGE_GRAIN, (tid, b0, b1) -> {
      float[] tile = work[tid].tile;
      for (int b = b0; b < b1; b++) product(vector, x, (long) b * c * hw, c, wpk, k, tile, y, (long) b * k * hw, hw, false);
    });
  }

  static void backwardData(
      CpuThreads pool, boolean vector, DirectConv.Work[] work, MemorySegment dy, MemorySegment w, MemorySegment dx, ConvGeom g, boolean accumulate) {
    int c = g.c(), k = g.k(), hw = g.h() * g.w();
    float[] wpk = DirectConv.packFlippedTransposed(work[0].wpk(c, k), w, k, c, 1, 1, MR); // W^T: a 1x1 filter flips to itself
    pool.parallelForDynamic(g.n(), DirectConv.IMAGE_GRAIN, (tid, b0, b1) -> {
      float[] tile = work[tid].tile;
      for (int b = b0; b < b1; b++) product(vector, dy, (long) b * k * hw, k, wpk, c, tile, dx, (long) b * c * hw, hw, accumulate);
    });
  }

  // out (outs, hw) at outOff (+)= wpk (outs, nq) * in (nq, hw) at inOff
  private static void product(
      boolean vector, MemorySegment in, long inOff, int nq, float[] wpk, int outs, float[] tile, MemorySegment out, long outOff, int hw, boolean add) {
    // A block of MR output rows at a time across all columns while the input (nq, hw) stays in L2:
    // the output is then written as MR streams of whole rows instead of every row 128 bytes at a
    // time (short reductions write as much as they compute); else all blocks per run of columns.
    // Each tile's sums are the same either way.
    if ((long) nq * hw * Float.BYTES <= ROW_MAJOR_INPUT_BYTES) {
      // the image's planes into L2 first, one stream each (see CacheWarm)
      CacheWarm.touch(in, inOff, (long) nq * hw);
      CacheWarm.touch(out, outOff, (long) outs * hw);
      for (int ob = 0; ob < outs; ob += MR) {
        for (int j0 = 0; j0 < hw; j0 += TW) tile(vector, in, inOff, nq, wpk, outs, tile, out, outOff, hw, add, j0, ob);
      }
    } else {
      for (int j0 = 0; j0 < hw; j0 += TW) {
        for (int ob = 0; ob < outs; ob += MR) tile(vector, in, inOff, nq, wpk, outs, tile, out, outOff, hw, add, j0, ob);
      }
    }
  }

  /** Input bytes up to which {@link #product} walks output rows first (a quarter of this machine kind's L2). */
  static final long ROW_MAJOR_INPUT_BYTES = 512 * 1024;

  private static void tile(
      boolean vector, MemorySegment in, long inOff, int nq, float[] wpk, int outs, float[] tile, MemorySegment out, long outOff,
      int hw, boolean add, int j0, int ob) {
    int cols = Math.min(TW, hw - j0), rows = Math.min(MR, outs - ob);
    long o = outOff + (long) ob * hw + j0;
    if (vector && cols == TW && rows == MR) {
      // A whole tile straight from its registers, without the round trip through the
      // tile buffer (a tenth of a 16-long reduction's work). Measured in one JVM, the two ways
      // alternating (batch 64, 2 threads, four sets of tensors in turn): 16->64 at 32x32 forward
      // 1.15x, its backward data 1.4x, 32->128 at 16x16 1.1x; 64 channels in and more 1.0 to 1.05x.
      if (add) VectorKernels.pointwise8x32StoreAdd(in, inOff + j0, hw, nq, wpk, ob * nq, out, o, hw);
      else VectorKernels.pointwise8x32Store(in, inOff + j0, hw, nq, wpk, ob * nq, out, o, hw);
    } else if (vector) {
      VectorKernels.pointwise8x32(in, inOff + j0, hw, nq, wpk, ob * nq, cols, tile);
      VectorKernels.copyRowsOut(tile, 0, TW, rows, cols, out, o, hw, add);
    } else {
      pointwise8x32Scalar(in, inOff + j0, hw, nq, wpk, ob * nq, cols, tile);
      for (int m = 0; m < rows; m++) Sgemm.addRun(false, tile, m * TW, out, o + (long) m * hw, cols, add);
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

  /**
   * Fixed groups of images for the weight gradient: each group's partial sums are one thread's,
   * and the groups are added in order, so the result does not depend on the thread count.
   */
  static final int IMAGE_GROUPS = 8;

  /** Planes from this many floats on run long enough in place (the kernel's loop per image). */
  static final int LONG_PLANE = 1024;

  static void backwardFilter(
      CpuThreads pool, boolean vector, DirectConv.Work[] work, DirectConv.FilterBuffers fb, MemorySegment x, MemorySegment dy, MemorySegment dw, ConvGeom g) {
    if (PointwiseOuterFilter.chosen(g.k(), g.c())) {
      PointwiseOuterFilter.backwardFilter(pool, vector, work, fb, x, dy, dw, g);
      return;
    }
    int n = g.n(), c = g.c(), k = g.k(), hw = g.h() * g.w();
    int nvec = hw / LANES, rest = hw - nvec * LANES; // the last rest pixels of each plane: scalar
    int kBlocks = (k + FK - 1) / FK, jBlocks = (c + FJ - 1) / FJ, tasks = kBlocks * jBlocks;
    int tileFloats = FK * FJ * LANES, groups = Math.min(n, IMAGE_GROUPS);
    double[] sums = fb.groupSums(groups * k * c);
    // Split by image groups, not by weights: each thread reads only its own images (a 1x1 layer's
    // activations are large and its products short, so reading them is the cost), a chunk of
    // images at a time while every task sweeps it in this core's L2.
    pool.parallelForDynamic(groups, 1, (tid, g0, g1) -> {
      float[] part = work[tid].part(tasks * tileFloats);
      long[] dyo = new long[FK], xo = new long[FJ];
      for (int gi = g0; gi < g1; gi++) {
        int from = (int) ((long) gi * n / groups), to = (int) ((long) (gi + 1) * n / groups);
        int chunk = Math.max(1, Math.min(to - from, DirectConv.CHUNK_FLOATS / ((c + k) * hw)));
        Arrays.fill(part, 0, tasks * tileFloats, 0f);
        for (int b0 = from; b0 < to; b0 += chunk) {
          int nimg = Math.min(chunk, to - b0);
          MemorySegment dys = dy, xs = x;
          long dyBase = (long) b0 * k * hw, xBase = (long) b0 * c * hw, dyStride = (long) k * hw, xStride = (long) c * hw;
          long plane = hw; // floats from one channel's run to the next
          int runs = nimg, run = nvec;
          if (rest == 0 && nimg > 1 && hw < LONG_PLANE) {
            // short planes: each channel's planes of the chunk's images copied side by side, so a
            // task runs one loop of nimg * nvec vectors instead of nimg loops of a few (the same
            // fma order per lane)
            MemorySegment packed = work[tid].nativePlanes((long) (c + k) * nimg * hw);
            dyBase = 0;
            xBase = (long) k * nimg * hw;
            packPlanes(dy, b0, nimg, k, hw, packed, dyBase);
            packPlanes(x, b0, nimg, c, hw, packed, xBase);
            dys = xs = packed;
            dyStride = xStride = plane = (long) nimg * hw;
            runs = 1;
            run = nimg * nvec;
          }
          for (int t = 0; t < tasks; t++) {
            int kb = t / jBlocks, jb = t % jBlocks;
            for (int m = 0; m < FK; m++) dyo[m] = dyBase + Math.min(kb * FK + m, k - 1) * plane;
            for (int j = 0; j < FJ; j++) xo[j] = xBase + Math.min(jb * FJ + j, c - 1) * plane;
            if (vector) {
              VectorKernels.pointwiseFilter4x6(dys, dyo, dyStride, xs, xo, xStride, runs, run, part, t * tileFloats);
            } else {
              pointwiseFilter4x6Scalar(dys, dyo, dyStride, xs, xo, xStride, runs, run, part, t * tileFloats);
            }
          }
        }
        for (int ki = 0; ki < k; ki++) {
          for (int ci = 0; ci < c; ci++) {
            int t = (ki / FK) * jBlocks + ci / FJ, o = t * tileFloats + ((ki % FK) * FJ + ci % FJ) * LANES;
            double sum = 0;
            for (int l = 0; l < LANES; l++) sum += part[o + l];
            // pixels past the last full vector of each plane (hw not a multiple of 16), in order
            for (int b = from; b < to && rest > 0; b++) {
              long dyr = ((long) b * k + ki) * hw + nvec * LANES, xr = ((long) b * c + ci) * hw + nvec * LANES;
              for (int u = 0; u < rest; u++) sum += (double) dy.getAtIndex(F, dyr + u) * x.getAtIndex(F, xr + u);
            }
            sums[(gi * k + ki) * c + ci] = sum;
          }
        }
      }
    });
    addGroupSums(pool, sums, groups, k, c, true, dw);
  }

  /**
   * dw (k, c) += the sum over groups, in order, of each group's (k, c) sums, or (c, k) sums when not
   * {@code kMajor}: sums[(gi*k + ki)*c + ci], or sums[(gi*c + ci)*k + ki].
   */
  static void addGroupSums(CpuThreads pool, double[] sums, int groups, int k, int c, boolean kMajor, MemorySegment dw) {
    pool.parallelFor(k, (tid, k0, k1) -> {
      for (int ki = k0; ki < k1; ki++) {
        for (int ci = 0; ci < c; ci++) {
          double sum = 0;
          for (int gi = 0; gi < groups; gi++) sum += sums[kMajor ? (gi * k + ki) * c + ci : (gi * c + ci) * k + ki];
          long e = (long) ki * c + ci;
          dw.setAtIndex(F, e, (float) (dw.getAtIndex(F, e) + sum));
        }
      }
    });
  }

  // dst's planes (hw floats) from float d0 on, channel-major: plane ch*nimg + i = src's plane of
  // channel ch of image b0 + i, for ch < channels, i < nimg
  static void packPlanes(MemorySegment src, int b0, int nimg, int channels, int hw, MemorySegment dst, long d0) {
    for (int ch = 0; ch < channels; ch++) {
      for (int i = 0; i < nimg; i++) {
        long from = ((long) (b0 + i) * channels + ch) * hw, to = d0 + ((long) ch * nimg + i) * hw;
        MemorySegment.copy(src, from * Float.BYTES, dst, to * Float.BYTES, (long) hw * Float.BYTES);
      }
    }
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
