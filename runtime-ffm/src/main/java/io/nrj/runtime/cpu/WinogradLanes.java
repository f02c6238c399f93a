package io.nrj.runtime.cpu;

import static io.nrj.runtime.cpu.CpuBackend.F;

import io.nrj.runtime.ConvGeom;
import java.lang.foreign.MemorySegment;

/**
 * Winograd F(2x2, 3x3) with the products on {@link ChannelLaneConv}'s tiles, for 3x3 layers on maps
 * 8 and 16 wide (see {@link ConvAlgo#winogradLanesPays}): the weight gradient in chunks of images
 * ({@link #backwardFilter}), and the forward pass and backward data image by image. For those two,
 * {@link Winograd} writes every transformed tile of a chunk of images out, multiplies it by a GEMM
 * per position and reads the products back; here each thread takes whole images and keeps one
 * image's transformed tiles and products in its own buffers:
 *
 * <pre>
 *   phases     ph[a][b] (rows of w/2 + 1) = xPad[2yy + a, 2xx + b]   per input plane, see phases
 *   transform  V[xi][i][t] = (B^T d B)[xi]                   d: the 4x4 window of tile t in plane i
 *   multiply   M[xi][ob][t][32] = sum over i of U[xi][ob][i][32] * V[xi][i][t]
 *                                                            ChannelLaneConv's 32x8 tile, q = i
 *   transform  out (2x2 of tile t) (+)= A^T M[.][ob][t] A    vectors over 16 output channels
 * </pre>
 *
 * with U[xi][ob][i][32] = (G f G^T)[xi] of the filter f from input plane i to output plane ob*32 +
 * lane, packed once per call. 16 multiply-adds per 2x2 output tile and input plane instead of 36;
 * the transforms' coefficients are 0, +-1 and 1/2, exact in binary. Backward data is the same on dy
 * with the flipped, transposed filters. Each output is computed by one thread in one order, and
 * the scalar path repeats the vector one's operations, so the bits do not depend on the thread
 * count or on the Vector API. Tiles go to the product 8 at a time, so an image's tile count
 * (h/2 * w/2) must be a multiple of 8. The input transform runs on one vector per row of tiles
 * (up to 16: maps up to 32 wide), the phase planes on one vector per row (maps up to 16 wide).
 */
final class WinogradLanes {
  private WinogradLanes() {}

  /** Transformed positions per tile, output channels per product tile, tiles per product tile. */
  static final int XI = 16, KB = ChannelLaneConv.KB, PX = ChannelLaneConv.PX;

  /** Whether {@code g} can run here: 3x3, stride 1, padding 1, even map sides, tiles in groups of 8. */
  static boolean supports(ConvGeom g) {
    return Winograd.supports(g) && g.h() % 2 == 0 && g.w() % 2 == 0 && (g.h() / 2 * (g.w() / 2)) % PX == 0;
  }

  /**
   * The distance in floats between the 16 positions' slices of n floats each: a cache line more
   * than n rounded to lines, so that the 16 slices do not start at the same offset within 4 KiB
   * (slices 8 KiB apart all fall in the same L1 sets, and the transforms, which touch all 16 at
   * once, ran at a third of their speed).
   */
  static int spaced(int n) {
    return (n + 15) / 16 * 16 + 16;
  }

  /**
   * Buffers grown on demand and reused across calls: the packed filters, and per thread its
   * image's; for the weight gradient a chunk's transformed tiles and the products' tiles, and per
   * thread its image's staged copies.
   */
  static final class Buffers {
    private float[] upk = new float[0];
    private final float[][] pad, v, m;
    private final float[][] stage, rows;
    private float[] vt = new float[0], yt = new float[0], part = new float[0];
    private final float[][] img, xs, ds;

    Buffers(int threads) {
      pad = new float[threads][0];
      v = new float[threads][0];
      m = new float[threads][0];
      stage = new float[threads][4 * KB];
      rows = new float[threads][0];
      img = new float[threads][0];
      xs = new float[threads][0];
      ds = new float[threads][0];
    }

    private static float[] grow(float[] a, long n) {
      return a.length >= n ? a : new float[Math.toIntExact(n)];
    }
  }

  // ---- forward: x (n, c, h, w), w (k, c, 3, 3) -> y (n, k, h, w) ----

  static void forward(CpuThreads pool, boolean vector, Buffers buf, MemorySegment x, MemorySegment w, MemorySegment y, ConvGeom g) {
    int c = g.c(), k = g.k();
    // U[xi][ob][i][32] for the filter w[o][i]: 9 floats at (o*c + i)*9, read forwards
    float[] upk = pack(pool, buf, w, k, c, (o, i) -> ((long) o * c + i) * 9, false);
    correlate(pool, vector, buf, x, c, upk, y, k, g.n(), g.h(), g.w(), false);
  }

  // ---- backward data: dx (n, c, h, w) (+)= correlation of dy (padding 1) with flipped w^T ----

  static void backwardData(
      CpuThreads pool, boolean vector, Buffers buf, MemorySegment dy, MemorySegment w, MemorySegment dx, ConvGeom g, boolean accumulate) {
    int c = g.c(), k = g.k();
    // the filter from dy plane o to dx plane i is w[o][i] rotated by 180 degrees: read backwards
    float[] upk = pack(pool, buf, w, c, k, (i, o) -> ((long) o * c + i) * 9, true);
    correlate(pool, vector, buf, dy, k, upk, dx, c, g.n(), g.h(), g.w(), accumulate);
  }

  /** Where the 9 weights of the filter from input plane i to output plane o start. */
  private interface FilterAt {
    long at(int o, int i);
  }

  /**
   * upk[((xi*outBlocks + ob)*ins + i)*32 + l] = (G f G^T)[xi] for the filter f from input plane i
   * to output plane ob*32 + l (zero past outs), flipped when the filter is read backwards.
   */
  private static float[] pack(CpuThreads pool, Buffers buf, MemorySegment w, int outs, int ins, FilterAt at, boolean flipped) {
    int blocks = (outs + KB - 1) / KB;
    long xiStride = spaced(blocks * ins * KB);
    float[] upk = buf.upk = Buffers.grow(buf.upk, XI * xiStride);
    pool.parallelFor(blocks * KB, (tid, o0, o1) -> {
      float[] f = new float[9], t = new float[12], q = new float[XI];
      for (int o = o0; o < o1; o++) {
        int ob = o / KB, l = o % KB;
        for (int i = 0; i < ins; i++) {
          int e = (ob * ins + i) * KB + l;
          if (o >= outs) {
            for (int xi = 0; xi < XI; xi++) upk[(int) (xi * xiStride) + e] = 0f;
            continue;
          }
          long a = at.at(o, i);
          for (int j = 0; j < 9; j++) f[j] = w.getAtIndex(F, a + (flipped ? 8 - j : j));
          Winograd.filterTransform(f, t, q);
          for (int xi = 0; xi < XI; xi++) upk[(int) (xi * xiStride) + e] = q[xi];
        }
      }
    });
    return upk;
  }

  /**
   * out[b, o] (+)= the 3x3 correlation (padding 1) of in[b, .] with the filters whose transforms
   * are upk, for planes of (h, w): inC input and outC output planes per image, images split over
   * threads as they come free.
   */
  private static void correlate(
      CpuThreads pool, boolean vector, Buffers buf, MemorySegment in, int inC, float[] upk, MemorySegment out, int outC,
      int n, int h, int w, boolean accumulate) {
    int th = h / 2, tw = w / 2, tiles = th * tw, blocks = (outC + KB - 1) / KB;
    int vStride = spaced(inC * tiles), mStride = spaced(blocks * tiles * KB), uStride = spaced(blocks * inC * KB);
    int rw = tw + 1, ps = (th + 1) * rw; // a phase plane: (th + 1) rows of rw
    int[] off = new int[inC]; // the product's q = input plane i: V[xi][i][.] is tiles floats apart
    for (int i = 0; i < inC; i++) off[i] = i * tiles;
    pool.parallelForDynamic(n, DirectConv.IMAGE_GRAIN, (tid, b0, b1) -> {
      float[] ph = buf.pad[tid] = Buffers.grow(buf.pad[tid], 4L * ps + Math.max(w, VectorKernels.L));
      java.util.Arrays.fill(ph, 0, 4 * ps, 0f); // the borders: every plane writes the same interior
      float[] v = buf.v[tid] = Buffers.grow(buf.v[tid], (long) XI * vStride);
      float[] m = buf.m[tid] = Buffers.grow(buf.m[tid], (long) XI * mStride);
      float[] stage = buf.stage[tid];
      float[] rows = buf.rows[tid] = Buffers.grow(buf.rows[tid], (long) KB * 2 * w);
      for (int b = b0; b < b1; b++) {
        for (int i = 0; i < inC; i++) {
          phases(vector, in, ((long) b * inC + i) * h * w, h, w, ph, ps, rw);
          if (vector && tw <= VectorKernels.L) VectorKernels.winogradInput(ph, ps, rw, th, tw, v, i * tiles, vStride);
          else inputTransformScalar(ph, ps, rw, th, tw, v, i * tiles, vStride);
        }
        for (int xi = 0; xi < XI; xi++) {
          int src = xi * vStride;
          for (int ob = 0; ob < blocks; ob++) {
            int wo = xi * uStride + ob * inC * KB, mo = xi * mStride + ob * tiles * KB;
            for (int t = 0; t < tiles; t += PX) {
              if (vector) VectorKernels.lanes32x8(v, src + t, off, inC, upk, wo, m, mo + t * KB);
              else ChannelLaneConv.lanes32x8Scalar(v, src + t, off, inC, upk, wo, m, mo + t * KB);
            }
          }
        }
        long outOff = (long) b * outC * h * w;
        for (int ob = 0; ob < blocks; ob++) {
          int kn = Math.min(KB, outC - ob * KB);
          for (int ty = 0; ty < th; ty++) {
            // the 2 output rows of this tile row, channel by channel: rows[kk*2w + dy*w + x]
            for (int tx = 0; tx < tw; tx++) {
              int mo = ob * tiles * KB + (ty * tw + tx) * KB;
              if (vector) VectorKernels.winogradOutputTile(m, mo, mStride, stage);
              else outputTileScalar(m, mo, mStride, stage);
              for (int kk = 0, r = 2 * tx; kk < kn; kk++, r += 2 * w) {
                rows[r] = stage[kk];
                rows[r + 1] = stage[KB + kk];
                rows[r + w] = stage[2 * KB + kk];
                rows[r + w + 1] = stage[3 * KB + kk];
              }
            }
            long o = outOff + (long) ob * KB * h * w + (long) 2 * ty * w;
            for (int kk = 0; kk < kn; kk++, o += (long) h * w) Sgemm.addRun(vector, rows, kk * 2 * w, out, o, 2 * w, accumulate);
          }
        }
      }
    });
  }

  // ---- backward filter: dw (k, c, 3, 3) += G^T [sum over images and tiles of Y[xi] V[xi]^T] G ----

  /** Input channels per transformed vector of the weight gradient (one 512-bit vector). */
  static final int CB = 16;

  /**
   * Transformed floats (V and Y together) per chunk of images of the weight gradient: 8 MiB, 32
   * images of 32 channels at 16x16 (the whole batch at 8x8). Smaller chunks ran slower, not faster:
   * {@code OneConvBench}, 32->32 at 16x16, 65 / 78 / 138 / 175 / 220 / 227 GFLOP/s for 0.25 to 8
   * MiB (the two threads hand over twice per chunk, and each reads what the other transformed).
   */
  static final int CHUNK_FLOATS = 1 << 21;

  /**
   * The weight gradient by the transpose of the forward algorithm (as {@link
   * Winograd#backwardFilter}), with the long sums over every tile of the batch on {@link
   * ChannelLaneConv}'s weight-gradient tile, chunk by chunk of images:
   *
   * <pre>
   *   V[cb][xi][e][16] = (B^T d B)[xi]   e = (image in chunk)*tiles + t; d: tile t's 4x4 window of x
   *                                       padded by 1, 16 input channels cb*16.. (a vector each)
   *   Y[kb][xi][e][32] = (A f A^T)[xi]   f: tile t's 2x2 of dy, 32 output channels kb*32..
   *   dU[xi][o][i] += sum over e of Y[kb][xi][e][o] * V[cb][xi][e][i]
   *                                       one task per (kb, xi, 8 input channels)
   *   dw[o][i] += G^T dU[.][o][i] G       after the last chunk
   * </pre>
   *
   * Channels past c and k are zeros. Each dU is one fma chain over the batch's tiles in
   * order, whichever thread computes it, and the scalar path repeats the vector one's operations,
   * so the bits do not depend on the thread count or on the Vector API.
   */
  static void backwardFilter(CpuThreads pool, boolean vector, Buffers buf, MemorySegment x, MemorySegment dy, MemorySegment dw, ConvGeom g) {
    int n = g.n(), c = g.c(), k = g.k(), h = g.h(), w = g.w();
    int th = h / 2, tw = w / 2, tiles = th * tw, hw = h * w, wp = w + 2, hp = h + 2;
    int cBlocks = (c + CB - 1) / CB, kBlocks = (k + KB - 1) / KB, c8 = 2 * cBlocks;
    int chunk = Math.max(1, Math.min(n, CHUNK_FLOATS / (XI * tiles * (cBlocks * CB + kBlocks * KB))));
    // floats per (block, xi) of a chunk, spaced so that the transforms' 16 streams do not share cache sets
    int vSlice = spaced(chunk * tiles * CB), ySlice = spaced(chunk * tiles * KB);
    float[] vt = buf.vt = Buffers.grow(buf.vt, (long) cBlocks * XI * vSlice);
    float[] yt = buf.yt = Buffers.grow(buf.yt, (long) kBlocks * XI * ySlice);
    int tasks = kBlocks * XI * c8, tileFloats = 2 * 8 * CB;
    float[] part = buf.part = Buffers.grow(buf.part, (long) tasks * tileFloats);
    java.util.Arrays.fill(part, 0, tasks * tileFloats, 0f);
    int[] idx = new int[CB]; // 16 planes' pixel: one gather
    for (int l = 0; l < CB; l++) idx[l] = l * hw;
    for (int b0 = 0; b0 < n; b0 += chunk) {
      int first = b0, imgs = Math.min(chunk, n - b0), len = imgs * tiles;
      pool.parallelFor(imgs, (tid, i0, i1) -> {
        float[] pl = buf.img[tid] = Buffers.grow(buf.img[tid], (long) Math.max(c, k) * hw);
        float[] xs = buf.xs[tid] = Buffers.grow(buf.xs[tid], (long) hp * wp * CB);
        float[] ds = buf.ds[tid] = Buffers.grow(buf.ds[tid], (long) hw * KB);
        java.util.Arrays.fill(xs, 0, hp * wp * CB, 0f); // the border: every block writes the same interior
        for (int ib = i0; ib < i1; ib++) {
          int b = first + ib;
          MemorySegment.copy(x, F, (long) b * c * hw * Float.BYTES, pl, 0, c * hw);
          for (int cb = 0; cb < cBlocks; cb++) {
            stageBlock(vector, pl, cb * CB, c, hw, idx, h, w, xs, (wp + 1) * CB, wp * CB, CB);
            if (vector) VectorKernels.winogradInputBlock(xs, wp, th, tw, vt, cb * XI * vSlice + ib * tiles * CB, vSlice);
            else inputBlockScalar(xs, wp, th, tw, vt, cb * XI * vSlice + ib * tiles * CB, vSlice);
          }
          MemorySegment.copy(dy, F, (long) b * k * hw * Float.BYTES, pl, 0, k * hw);
          for (int kb = 0; kb < kBlocks; kb++) {
            stageBlock(vector, pl, kb * KB, k, hw, idx, h, w, ds, 0, w * KB, KB);
            stageBlock(vector, pl, kb * KB + CB, k, hw, idx, h, w, ds, CB, w * KB, KB);
            if (vector) VectorKernels.winogradGradientBlock(ds, w, th, tw, yt, kb * XI * ySlice + ib * tiles * KB, ySlice);
            else gradientBlockScalar(ds, w, th, tw, yt, kb * XI * ySlice + ib * tiles * KB, ySlice);
          }
        }
      });
      // task t = (kb, xi, 8 input channels), the last fastest: consecutive tasks share their Y
      pool.parallelFor(tasks, (tid, t0, t1) -> {
        for (int t = t0; t < t1; t++) {
          int kb = t / (XI * c8), xi = (t / c8) % XI, cq = t % c8;
          int yo = (kb * XI + xi) * ySlice, vo = ((cq / 2) * XI + xi) * vSlice + (cq % 2) * 8;
          // one row of len tiles, V's tiles CB floats apart
          if (vector) VectorKernels.filterLanes32x8(yt, yo, vt, vo, 1, 1, len, 0, 0, CB, part, t * tileFloats);
          else ChannelLaneConv.filterLanes32x8Scalar(yt, yo, vt, vo, 1, 1, len, 0, 0, CB, part, t * tileFloats);
        }
      });
    }
    pool.parallelFor(k, (tid, o0, o1) -> {
      float[] q = new float[XI], r = new float[9], s = new float[12];
      for (int o = o0; o < o1; o++) {
        int kb = o / KB, lane = o % KB, j = lane / CB, l = lane % CB;
        for (int i = 0; i < c; i++) {
          for (int xi = 0; xi < XI; xi++) q[xi] = part[((kb * XI + xi) * c8 + i / 8) * tileFloats + (j * 8 + i % 8) * CB + l];
          Winograd.filterGradientTile(q, r, s);
          long at = ((long) o * c + i) * 9;
          for (int f = 0; f < 9; f++) dw.setAtIndex(F, at + f, dw.getAtIndex(F, at + f) + r[f]);
        }
      }
    });
  }

  /**
   * dst[d + y*rowStride + xx*pixStride + l] = plane (first + l) of pl (planes hw apart) at (y, xx),
   * for l &lt; 16: zeros for planes at or past count.
   */
  private static void stageBlock(
      boolean vector, float[] pl, int first, int count, int hw, int[] idx, int h, int w, float[] dst, int d, int rowStride, int pixStride) {
    if (vector && first + CB <= count) {
      for (int y = 0; y < h; y++) VectorKernels.gatherRuns(pl, first * hw + y * w, idx, w, 1, dst, d + y * rowStride, pixStride);
      return;
    }
    for (int y = 0; y < h; y++) {
      for (int xx = 0; xx < w; xx++) {
        int o = d + y * rowStride + xx * pixStride;
        for (int l = 0; l < CB; l++) dst[o + l] = first + l < count ? pl[(first + l) * hw + y * w + xx] : 0f;
      }
    }
  }

  /**
   * v[vo + xi*xs + t*16 + l] = (B^T d B)[xi] ({@link Winograd#inputTile}) for every tile t = ty*tw +
   * tx, d the 4x4 window at padded row 2ty, column 2tx of the staged block xb[(row*wp + col)*16 + l]
   * (as {@link VectorKernels#winogradInputBlock}, lane by lane).
   */
  static void inputBlockScalar(float[] xb, int wp, int th, int tw, float[] v, int vo, int xs) {
    float[] d = new float[16], t = new float[16];
    for (int ty = 0; ty < th; ty++) {
      for (int tx = 0; tx < tw; tx++) {
        int o = vo + (ty * tw + tx) * CB;
        for (int l = 0; l < CB; l++) {
          for (int r = 0; r < 4; r++) {
            for (int j = 0; j < 4; j++) d[4 * r + j] = xb[((2 * ty + r) * wp + 2 * tx + j) * CB + l];
          }
          Winograd.inputTile(d, t);
          for (int xi = 0; xi < XI; xi++) v[o + xi * xs + l] = t[xi];
        }
      }
    }
  }


  /**
   * y[yo + xi*xs + t*32 + l] = (A e A^T)[xi] ({@link Winograd#gradientTile}) for every tile t =
   * ty*tw + tx, e the 2x2 of dy at row 2ty, column 2tx of the staged block db[(row*w + col)*32 + l].
   */
  static void gradientBlockScalar(float[] db, int w, int th, int tw, float[] y, int yo, int xs) {
    float[] d = new float[4], t = new float[16];
    for (int ty = 0; ty < th; ty++) {
      for (int tx = 0; tx < tw; tx++) {
        int o = yo + (ty * tw + tx) * KB, p = (2 * ty * w + 2 * tx) * KB;
        for (int l = 0; l < KB; l++) {
          d[0] = db[p + l];
          d[1] = db[p + KB + l];
          d[2] = db[p + w * KB + l];
          d[3] = db[p + (w + 1) * KB + l];
          Winograd.gradientTile(d, t);
          for (int xi = 0; xi < XI; xi++) y[o + xi * xs + l] = t[xi];
        }
      }
    }
  }

  /**
   * The four phase planes of the plane at in[at] (h, w) padded by 1: ph[(2a + b)*ps + yy*rw + xx] =
   * xPad[2yy + a, 2xx + b], so that a Winograd window's element (r, j) for the tiles of one row is
   * a contiguous run (phase (r%2, j%2) from (ty + r/2, j/2)). Writes the interior only (the
   * caller zeroes the borders once per geometry); the plane's row is staged at ph[4*ps].
   */
  static void phases(boolean vector, MemorySegment in, long at, int h, int w, float[] ph, int ps, int rw) {
    if (vector && w <= VectorKernels.L) {
      VectorKernels.winogradPhases(in, at, h, w, ph, ps, rw);
      return;
    }
    int row = 4 * ps;
    for (int y = 0; y < h; y++) {
      MemorySegment.copy(in, F, (at + (long) y * w) * Float.BYTES, ph, row, w);
      int a = (y + 1) & 1, o = ((y + 1) >> 1) * rw;
      for (int x = 0; x < w; x++) {
        int xp = x + 1;
        ph[(2 * a + (xp & 1)) * ps + o + (xp >> 1)] = ph[row + x];
      }
    }
  }

  /**
   * v[vo + xi*xs + ty*tw + tx] = (B^T d B)[xi] ({@link Winograd#inputTile}) for every tile (ty, tx)
   * of one plane's phase planes (see {@link #phases}), d the tile's 4x4 window from padded row 2ty,
   * column 2tx.
   */
  static void inputTransformScalar(float[] ph, int ps, int rw, int th, int tw, float[] v, int vo, int xs) {
    float[] d = new float[16], t = new float[16];
    for (int ty = 0; ty < th; ty++) {
      for (int tx = 0; tx < tw; tx++) {
        for (int r = 0; r < 4; r++) {
          for (int j = 0; j < 4; j++) d[4 * r + j] = ph[((r & 1) * 2 + (j & 1)) * ps + (ty + r / 2) * rw + tx + j / 2];
        }
        Winograd.inputTile(d, t);
        int o = vo + ty * tw + tx;
        for (int xi = 0; xi < XI; xi++) v[o + xi * xs] = t[xi];
      }
    }
  }


  /**
   * stage[p*32 + l] = (A^T M A)[p] for the 4x4 products M[xi] = m[mo + xi*xiStride + l], l &lt; 32,
   * p = 2*row + column of the 2x2 output; A^T = [[1,1,1,0],[0,1,-1,-1]]. Lane by lane, in the
   * order of {@link VectorKernels#winogradOutputTile}.
   */
  static void outputTileScalar(float[] m, int mo, int xiStride, float[] stage) {
    for (int l = 0; l < KB; l++) {
      float[] q = new float[16];
      for (int xi = 0; xi < XI; xi++) q[xi] = m[mo + xi * xiStride + l];
      float[] r = outputTile(q);
      for (int p = 0; p < 4; p++) stage[p * KB + l] = r[p];
    }
  }

  /** The 2x2 outputs A^T q A of the 4x4 q (row-major), in the vector kernel's order of additions. */
  static float[] outputTile(float[] q) {
    float[] s = new float[8]; // rows of A^T q: s0 = q0 + q1 + q2 (rows), s1 = q1 - q2 - q3
    for (int j = 0; j < 4; j++) {
      s[j] = q[j] + q[4 + j] + q[8 + j];
      s[4 + j] = q[4 + j] - q[8 + j] - q[12 + j];
    }
    return new float[] {
      s[0] + s[1] + s[2], s[1] - s[2] - s[3], s[4] + s[5] + s[6], s[5] - s[6] - s[7]
    };
  }
}
