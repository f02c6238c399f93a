package io.nrj.runtime.cpu;

import static io.nrj.runtime.cpu.CpuBackend.F;

import io.nrj.runtime.ConvGeom;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Stride-1 convolution with the vector lanes running over output channels instead of pixels: the
 * kernel for small maps. {@link DirectConv} puts 32 consecutive flat positions of a padded plane
 * in its lanes, so on an 8x8 map (padded rows of 10) a third of what it computes is thrown away;
 * here a tile is 32 output channels (two 16-lane vectors) by 8 output pixels of one row, every
 * input value a broadcast, so nothing computed is thrown away wherever the output width is a
 * multiple of 8.
 *
 * <ul>
 *   <li>forward: y[k, oy, ox] = sum over q = (c, r, s) of w[k, q] * xPad[c, oy + r, ox + s], one
 *       fma chain per output in q order; weights packed [k/32][q][32]; split over images;
 *   <li>backward data: the same on dy padded by kernel-1-pad, with the flipped, transposed weights;
 *   <li>backward filter: dw[k, c, r, s] += sum over images and output pixels of dy[k, p] * xPad[p
 *       + (r, s), c], one fma chain per weight in (image, pixel) order, from dy transposed to
 *       [k/32][image][pixel][32] and x padded in blocks of 8 channels ([c/8][image][pixel][8]);
 *       tiles of 32 output channels by 8 consecutive input channels at one tap (r, s), so the 8
 *       broadcasts sit side by side; tiles split over threads, so each weight is summed by one
 *       thread in one order
 *       whatever the thread count.
 * </ul>
 *
 * The scalar fallback repeats the lanes' fma sequences, so both paths give identical bits.
 */
final class ChannelLaneConv {
  private ChannelLaneConv() {}

  /** Channels per tile (two vectors of 16 lanes), output pixels per tile, taps per filter tile. */
  static final int KB = 32, PX = 8, FT = 8;

  /** Float lanes of a vector (the scalar path keeps as many chains). */
  static final int LANES = 16;

  /** Floats of the dy slice (images x pixels x 32 channels) filter tasks sweep per chunk: 256 KiB. */
  static final int CHUNK_FLOATS = 1 << 16;

  /** Whether {@code pass} of {@code g} can run here: stride 1, and its output rows in whole tiles. */
  static boolean supports(ConvGeom g, ConvAlgo.Pass pass) {
    if (!DirectConv.supports(g)) return false;
    return (pass == ConvAlgo.Pass.BACKWARD_DATA ? g.w() : g.outW()) % PX == 0;
  }

  /** Buffers grown on demand and reused across calls: shared ones, and one padded image per thread. */
  static final class Buffers {
    private float[] wpk = new float[0], xPad = new float[0], dyT = new float[0], part = new float[0];
    private final float[][] src, tile, plane;

    Buffers(int threads) {
      src = new float[threads][0];
      tile = new float[threads][PX * KB];
      plane = new float[threads][0];
    }

    private static float[] grow(float[] a, long n) {
      return a.length >= n ? a : new float[Math.toIntExact(n)];
    }

    /** Room for the weights of outs channels by nq taps packed in whole blocks of 32. */
    float[] wpk(int outs, int nq) {
      return wpk = grow(wpk, (long) (outs + KB - 1) / KB * KB * nq);
    }

    float[] src(int tid, int n) {
      return src[tid] = grow(src[tid], n);
    }

    float[] plane(int tid, int n) {
      return plane[tid] = grow(plane[tid], n);
    }
  }

  // ---- forward: x (n, c, h, w), w (k, c, r, s) -> y (n, k, oh, ow) ----

  static void forward(CpuThreads pool, boolean vector, Buffers buf, MemorySegment x, MemorySegment w, MemorySegment y, ConvGeom g) {
    int c = g.c(), k = g.k(), p = g.pad(), nq = c * g.r() * g.s();
    int hp = g.h() + 2 * p, wp = g.w() + 2 * p, ps = hp * wp;
    float[] wpk = DirectConv.packRows(buf.wpk(k, nq), w, k, KB, nq);
    int[] off = DirectConv.offsets(new int[nq], c, g.r(), g.s(), ps, wp);
    pool.parallelForDynamic(g.n(), DirectConv.IMAGE_GRAIN, (tid, b0, b1) -> {
      float[] src = buf.src(tid, c * ps);
      for (int b = b0; b < b1; b++) {
        DirectConv.pad(vector, x, (long) b * c * g.h() * g.w(), c, g.h(), g.w(), p, p, src, 0, ps, wp);
        correlate(vector, src, off, nq, wpk, k, buf.tile[tid], y, (long) b * k * g.outH() * g.outW(), g.outH(), g.outW(), wp, false);
      }
    });
  }

  // ---- backward data: dx (n, c, h, w) (+)= correlation of dy padded by r-1-p with flipped w^T ----

  static void backwardData(
      CpuThreads pool, boolean vector, Buffers buf, MemorySegment dy, MemorySegment w, MemorySegment dx, ConvGeom g, boolean accumulate) {
    int c = g.c(), k = g.k(), r = g.r(), s = g.s(), oh = g.outH(), ow = g.outW(), krs = k * r * s;
    int qh = r - 1 - g.pad(), qw = s - 1 - g.pad(), hq = oh + 2 * qh, wq = ow + 2 * qw, ps = hq * wq;
    // packed [c/32][k, r', s'][32] with value w[k, c, r-1-r', s-1-s']
    float[] wpk = DirectConv.packFlippedTransposed(buf.wpk(c, krs), w, k, c, r, s, KB);
    int[] off = DirectConv.offsets(new int[krs], k, r, s, ps, wq);
    pool.parallelForDynamic(g.n(), DirectConv.IMAGE_GRAIN, (tid, b0, b1) -> {
      float[] src = buf.src(tid, k * ps);
      for (int b = b0; b < b1; b++) {
        DirectConv.pad(vector, dy, (long) b * k * oh * ow, k, oh, ow, qh, qw, src, 0, ps, wq);
        correlate(vector, src, off, krs, wpk, c, buf.tile[tid], dx, (long) b * c * g.h() * g.w(), g.h(), g.w(), wq, accumulate);
      }
    });
  }

  /**
   * out[o, oy, ox] (+)= sum over q of wpk[o, q] * src[oy*wp + ox + off[q]] for the outs planes of
   * (oh, ow) at outOff, tile by tile (32 planes by 8 pixels of a row), each tile then copied (or
   * added) out of its pixel-major buffer.
   */
  private static void correlate(
      boolean vector, float[] src, int[] off, int nq, float[] wpk, int outs, float[] tile,
      MemorySegment out, long outOff, int oh, int ow, int wp, boolean accumulate) {
    int blocks = (outs + KB - 1) / KB, plane = oh * ow;
    for (int kb = 0; kb < blocks; kb++) {
      int wo = kb * nq * KB, kn = Math.min(KB, outs - kb * KB);
      for (int oy = 0; oy < oh; oy++) {
        for (int ox = 0; ox < ow; ox += PX) {
          if (vector) VectorKernels.lanes32x8(src, oy * wp + ox, off, nq, wpk, wo, tile, 0);
          else lanes32x8Scalar(src, oy * wp + ox, off, nq, wpk, wo, tile, 0);
          long o = outOff + (long) kb * KB * plane + (long) oy * ow + ox;
          for (int kk = 0; kk < kn; kk++, o += plane) {
            for (int px = 0; px < PX; px++) {
              float v = tile[px * KB + kk];
              out.setAtIndex(F, o + px, accumulate ? out.getAtIndex(F, o + px) + v : v);
            }
          }
        }
      }
    }
  }

  // tile[to + px*32 + kk] = sum over q < nq of wpk[wo + q*32 + kk] * src[xi + off[q] + px], in q order
  static void lanes32x8Scalar(float[] src, int xi, int[] off, int nq, float[] wpk, int wo, float[] tile, int to) {
    for (int px = 0; px < PX; px++) {
      for (int kk = 0; kk < KB; kk++) {
        float acc = 0f;
        for (int q = 0; q < nq; q++) acc = Math.fma(wpk[wo + q * KB + kk], src[xi + off[q] + px], acc);
        tile[to + px * KB + kk] = acc;
      }
    }
  }

  // ---- backward filter: dw (k, c, r, s) += sum over n, pixels of dy[k, p] * xPad[p + (r, s), c] ----

  static void backwardFilter(CpuThreads pool, boolean vector, Buffers buf, MemorySegment x, MemorySegment dy, MemorySegment dw, ConvGeom g) {
    int n = g.n(), c = g.c(), k = g.k(), r = g.r(), s = g.s(), p = g.pad(), h = g.h(), w = g.w();
    int oh = g.outH(), ow = g.outW(), hw = oh * ow, nq = c * r * s;
    int hp = h + 2 * p, wp = w + 2 * p, ps = hp * wp, xImg = ps * FT;
    int kBlocks = (k + KB - 1) / KB, cBlocks = (c + FT - 1) / FT, rs = r * s, tasks = kBlocks * cBlocks * rs;
    int tileFloats = 2 * FT * LANES;
    float[] xPad = buf.xPad = Buffers.grow(buf.xPad, (long) cBlocks * n * xImg);
    float[] dyT = buf.dyT = Buffers.grow(buf.dyT, (long) kBlocks * n * hw * KB);
    float[] part = buf.part = Buffers.grow(buf.part, (long) tasks * tileFloats);
    int[] xIdx = new int[LANES], dyIdx = new int[LANES];
    for (int l = 0; l < LANES; l++) {
      xIdx[l] = (l % FT) * h * w + l / FT;
      dyIdx[l] = l * hw;
    }
    // x padded and channel-blocked, [c/8][image][padded pixel][8], and dy transposed to
    // [k/32][image][pixel][32], zeros past c and k; each thread its images
    pool.parallelFor(n, (tid, b0, b1) -> {
      float[] pl = buf.plane(tid, Math.max(k * hw, c * h * w));
      for (int b = b0; b < b1; b++) {
        MemorySegment.copy(x, F, (long) b * c * h * w * Float.BYTES, pl, 0, c * h * w);
        for (int cb = 0; cb < cBlocks; cb++) {
          int xb = (cb * n + b) * xImg, cn = Math.min(FT, c - cb * FT);
          Arrays.fill(xPad, xb, xb + xImg, 0f);
          if (cn == FT && w % 2 == 0) { // two pixels of 8 channels per gather
            for (int y = 0; y < h; y++) {
              gatherRuns(vector, pl, (cb * FT * h + y) * w, xIdx, w / 2, 2, xPad, xb + ((y + p) * wp + p) * FT, 2 * FT);
            }
            continue;
          }
          for (int y = 0; y < h; y++) {
            for (int xx = 0; xx < w; xx++) {
              int d = xb + ((y + p) * wp + p + xx) * FT, src = (cb * FT * h + y) * w + xx;
              for (int i = 0; i < cn; i++) xPad[d + i] = pl[src + i * h * w];
            }
          }
        }
        MemorySegment.copy(dy, F, (long) b * k * hw * Float.BYTES, pl, 0, k * hw);
        for (int kb = 0; kb < kBlocks; kb++) {
          int d = (kb * n + b) * hw * KB, kn = Math.min(KB, k - kb * KB);
          if (kn == KB) {
            gatherRuns(vector, pl, kb * KB * hw, dyIdx, hw, 1, dyT, d, KB);
            gatherRuns(vector, pl, (kb * KB + LANES) * hw, dyIdx, hw, 1, dyT, d + LANES, KB);
            continue;
          }
          for (int px = 0; px < hw; px++) {
            int src = kb * KB * hw + px, o = d + px * KB;
            for (int kk = 0; kk < kn; kk++) dyT[o + kk] = pl[src + kk * hw];
            for (int kk = kn; kk < KB; kk++) dyT[o + kk] = 0f;
          }
        }
      }
    });
    // images per chunk: its dy slice (pixels x 32 channels) stays in L2 while the tasks of one k
    // block sweep it
    int chunk = Math.max(1, Math.min(n, CHUNK_FLOATS / (hw * KB)));
    // task t = (k block, c block, tap): consecutive tasks share their dy slice and x block
    pool.parallelFor(tasks, (tid, t0, t1) -> {
      Arrays.fill(part, t0 * tileFloats, t1 * tileFloats, 0f);
      for (int b0 = 0; b0 < n; b0 += chunk) {
        int nimg = Math.min(chunk, n - b0);
        for (int t = t0; t < t1; t++) {
          int kb = t / (cBlocks * rs), cb = (t / rs) % cBlocks, q = t % rs;
          int tap = (cb * n + b0) * xImg + (q / s * wp + q % s) * FT, dyo = (kb * n + b0) * hw * KB;
          if (vector) VectorKernels.filterLanes32x8(dyT, dyo, xPad, tap, nimg, oh, ow, xImg, wp * FT, FT, part, t * tileFloats);
          else filterLanes32x8Scalar(dyT, dyo, xPad, tap, nimg, oh, ow, xImg, wp * FT, FT, part, t * tileFloats);
        }
      }
      for (int t = t0; t < t1; t++) {
        int kb = t / (cBlocks * rs), cb = (t / rs) % cBlocks, q = t % rs;
        for (int j = 0; j < 2; j++) {
          for (int i = 0; i < FT && cb * FT + i < c; i++) {
            int po = t * tileFloats + (j * FT + i) * LANES;
            for (int l = 0; l < LANES && kb * KB + j * LANES + l < k; l++) {
              long e = ((long) (kb * KB + j * LANES + l) * c + cb * FT + i) * rs + q;
              dw.setAtIndex(F, e, dw.getAtIndex(F, e) + part[po + l]);
            }
          }
        }
      }
    });
  }

  // part[po + (j*8 + i)*16 + l] continues its fma chain over the output pixels e = (image, oy, ox)
  // of imgs consecutive images, in that order, of dyT[dyo + e*32 + j*16 + l] * xPad[tap +
  // image*xImg + oy*rowStride + ox*ps + i]
  static void filterLanes32x8Scalar(
      float[] dyT, int dyo, float[] xPad, int tap, int imgs, int oh, int ow, int xImg, int rowStride, int ps, float[] part, int po) {
    for (int j = 0; j < 2; j++) {
      for (int i = 0; i < FT; i++) {
        for (int l = 0; l < LANES; l++) {
          int o = po + (j * FT + i) * LANES + l, di = dyo + j * LANES + l;
          float acc = part[o];
          for (int img = 0; img < imgs; img++) {
            for (int oy = 0; oy < oh; oy++) {
              for (int ox = 0; ox < ow; ox++, di += KB) acc = Math.fma(dyT[di], xPad[tap + img * xImg + oy * rowStride + ox * ps + i], acc);
            }
          }
          part[o] = acc;
        }
      }
    }
  }

  private static void gatherRuns(boolean vector, float[] src, int base, int[] idx, int count, int step, float[] dst, int d, int dstStride) {
    if (vector) VectorKernels.gatherRuns(src, base, idx, count, step, dst, d, dstStride);
    else gatherRunsScalar(src, base, idx, count, step, dst, d, dstStride);
  }

  // dst[d + t*dstStride + l] = src[base + t*step + idx[l]] for t < count, l < 16
  static void gatherRunsScalar(float[] src, int base, int[] idx, int count, int step, float[] dst, int d, int dstStride) {
    for (int t = 0; t < count; t++) {
      for (int l = 0; l < LANES; l++) dst[d + t * dstStride + l] = src[base + t * step + idx[l]];
    }
  }
}
