package io.nrj.runtime.cpu;

import static io.nrj.runtime.cpu.CpuBackend.F;

import io.nrj.runtime.ConvGeom;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The weight gradient of a 1x1 stride-1 convolution as outer products, for layers whose channel
 * counts are both at least 32: dW (k, c) += sum over images b and pixels p of dy[b, k, p] * x[b, c,
 * p].
 *
 * <p>{@link PointwiseConv}'s own weight gradient puts pixels in the vector lanes of both operands,
 * so each fma needs two vector loads' worth of data from L2 (ten loads per 24 fma), and L2, not the
 * fma units, sets its speed (80 to 107 GFLOP/s on ResNet-164's layers). Here the operand with fewer
 * channels (t of them) is transposed to pixel-major [p][t] and the other's rows (r of them) are
 * broadcast one value at a time, as in a GEMM micro-kernel: a tile of rb rows by vb vectors of the transposed channels loads
 * vb vectors and rb broadcasts per pixel for rb * vb fma, with no reduction across lanes at the end.
 *
 * <p>Each fixed group of images ({@link PointwiseConv#IMAGE_GROUPS}), claimed by whichever thread is
 * free, is taken in chunks that fit in L2: the chunk's t-operand transposed to tt (chunk pixels, t), its r-operand's planes
 * copied channel by channel, images side by side, to rows (r, chunk pixels). Each weight is one
 * float fma chain over a chunk's pixels in order, added in double to its group's sum, and the
 * groups are added in order: the result does not depend on the thread count, and the scalar
 * fallback repeats the chains bit for bit.
 *
 * <p>Measured with {@code OneConvBench} (batch 64, 2 threads, inputs from memory with {@code
 * -Drotate=4}), against the kernel each layer took before: 64->256 and 256->64 on 8x8 (lanes) 100
 * to 106 -> 125 to 150 GFLOP/s, 128->32 and 32->128 on 16x16 (pixel lanes) 88 to 103 -> 113 to 147.
 * The transposes and copies read the chunk from memory before its tiles compute (186 to 194
 * GFLOP/s without them): touching the next chunk between tiles, to overlap the two, lost 5 to 15 %.
 */
final class PointwiseOuterFilter {
  private PointwiseOuterFilter() {}

  /** Transposed channels of a tile: 4, 2 or 1 vectors of 16, by rows 6, 12 or 16 (24, 24, 16 accumulators). */
  static int vectors(int t) {
    return t % 64 == 0 ? 4 : t % 32 == 0 ? 2 : 1;
  }

  static int rows(int vectors) {
    return vectors == 4 ? 6 : vectors == 2 ? 12 : 16;
  }

  static final int LANES = 16;

  /**
   * Whether this path applies: both channel counts at least 32 (a count that is not a multiple of 16
   * is padded with zero channels in the transposed copy). With 16 (ResNet-164's 64->16 and 16->64 on
   * 32x32) it lost, 57 against 91 to 110 GFLOP/s: those layers are bound by reading their
   * activations, and the transpose of 1024-pixel planes is slow.
   */
  static boolean supports(int k, int c) {
    return Math.min(k, c) >= MIN_CHANNELS;
  }

  static final int MIN_CHANNELS = 32;

  /** Whether layers this path {@link #supports} take it (a switch for A/B runs). */
  static final boolean ENABLED = !"false".equals(System.getProperty("nrj.cpu.outerFilter"));

  /** Whether a 1x1 weight gradient with these channel counts runs here: supported and not switched off. */
  static boolean chosen(int k, int c) {
    return ENABLED && supports(k, c);
  }

  static void backwardFilter(
      CpuThreads pool, boolean vector, DirectConv.Work[] work, DirectConv.FilterBuffers fb, MemorySegment x, MemorySegment dy,
      MemorySegment dw, ConvGeom g) {
    int n = g.n(), c = g.c(), k = g.k(), hw = g.h() * g.w();
    boolean transposeDy = k <= c; // the operand with fewer channels is the one transposed
    MemorySegment tSrc = transposeDy ? dy : x, rSrc = transposeDy ? x : dy;
    int t = Math.min(k, c), r = Math.max(k, c), tp = (t + LANES - 1) / LANES * LANES; // tt's rows: t padded with zeros
    int vb = vectors(tp), rb = rows(vb), width = vb * LANES;
    int tBlocks = tp / width, rBlocks = (r + rb - 1) / rb, tileFloats = rb * width, tiles = tBlocks * rBlocks;
    int groups = Math.min(n, PointwiseConv.IMAGE_GROUPS);
    double[] sums = fb.groupSums(groups * k * c);
    pool.parallelForDynamic(groups, 1, (tid, g0, g1) -> {
      DirectConv.Work wk = work[tid];
      float[] part = wk.part(tiles * tileFloats);
      int[] ro = new int[rb];
      for (int gi = g0; gi < g1; gi++) {
        int from = (int) ((long) gi * n / groups), to = (int) ((long) (gi + 1) * n / groups);
        int chunk = Math.max(1, Math.min(to - from, DirectConv.CHUNK_FLOATS / ((tp + r) * hw)));
        float[] tt = wk.filterDy(chunk * hw * tp), rows = wk.filterX(chunk * hw * r);
        Arrays.fill(sums, gi * k * c, (gi + 1) * k * c, 0);
        for (int b0 = from; b0 < to; b0 += chunk) {
          int nimg = Math.min(chunk, to - b0), len = nimg * hw;
          transpose(tSrc, b0, nimg, t, tp, hw, tt);
          // rows[ch*len + i*hw + p]: each channel's planes of the chunk side by side (only copied
          // into, so a heap segment here leaves the vector kernels' segment loads monomorphic)
          PointwiseConv.packPlanes(rSrc, b0, nimg, r, hw, MemorySegment.ofArray(rows), 0);
          Arrays.fill(part, 0, tiles * tileFloats, 0f);
          for (int tile = 0; tile < tiles; tile++) {
            int tb = tile / rBlocks, rbk = tile % rBlocks;
            for (int m = 0; m < rb; m++) ro[m] = Math.min(rbk * rb + m, r - 1) * len; // rows past r repeat the last
            int to0 = tb * width, po = tile * tileFloats;
            if (vector) {
              switch (vb) {
                case 4 -> VectorKernels.outerFilter6x64(rows, ro, tt, to0, tp, len, part, po);
                case 2 -> VectorKernels.outerFilter12x32(rows, ro, tt, to0, tp, len, part, po);
                default -> VectorKernels.outerFilter16x16(rows, ro, tt, to0, tp, len, part, po);
              }
            } else {
              outerFilterScalar(rows, ro, rb, tt, to0, tp, width, len, part, po);
            }
          }
          // each tile's chains of this chunk into the group's sums (r, t), in double
          for (int tile = 0; tile < tiles; tile++) {
            int tb = tile / rBlocks, rbk = tile % rBlocks;
            for (int m = 0; m < rb && rbk * rb + m < r; m++) {
              int row = rbk * rb + m;
              for (int j = 0; j < width && tb * width + j < t; j++) {
                sums[(gi * r + row) * t + tb * width + j] += part[tile * tileFloats + m * width + j];
              }
            }
          }
        }
      }
    });
    PointwiseConv.addGroupSums(pool, sums, groups, k, c, !transposeDy, dw);
  }

  // tt[(i*hw + p)*tp + ch] = src[((b0 + i)*t + ch)*hw + p] for ch < t, 0 for t <= ch < tp: the
  // chunk's planes pixel-major
  private static void transpose(MemorySegment src, int b0, int nimg, int t, int tp, int hw, float[] tt) {
    for (int i = 0; i < nimg; i++) {
      for (int ch = 0; ch < t; ch++) {
        long s = ((long) (b0 + i) * t + ch) * hw;
        int d = i * hw * tp + ch;
        for (int p = 0; p < hw; p++) tt[d + p * tp] = src.getAtIndex(F, s + p);
      }
      for (int p = i * hw; p < (i + 1) * hw && tp > t; p++) Arrays.fill(tt, p * tp + t, (p + 1) * tp, 0f);
    }
  }

  // part[po + m*width + j] += sum over p < len of rows[ro[m] + p] * tt[to + p*ts + j], one fma chain
  // per (m, j) in p order: the vector kernels' lanes
  static void outerFilterScalar(float[] rows, int[] ro, int rb, float[] tt, int to, int ts, int width, int len, float[] part, int po) {
    for (int m = 0; m < rb; m++) {
      for (int j = 0; j < width; j++) {
        float acc = part[po + m * width + j];
        for (int p = 0; p < len; p++) acc = Math.fma(rows[ro[m] + p], tt[to + p * ts + j], acc);
        part[po + m * width + j] = acc;
      }
    }
  }
}
