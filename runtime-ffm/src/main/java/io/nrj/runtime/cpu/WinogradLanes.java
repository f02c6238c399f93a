package io.nrj.runtime.cpu;

import static io.nrj.runtime.cpu.CpuBackend.F;

import io.nrj.runtime.ConvGeom;
import java.lang.foreign.MemorySegment;

/**
 * Winograd F(2x2, 3x3) image by image, with the products on {@link ChannelLaneConv}'s tile: the
 * forward pass and backward data of 3x3 layers on maps 8 and 16 wide from 32 input planes (see
 * {@link ConvAlgo#winogradLanesPays}). {@link Winograd} writes every transformed tile of a chunk of images
 * out, multiplies it by a GEMM per position and reads the products back; here each thread takes
 * whole images and keeps one image's transformed tiles and products in its own buffers:
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

  /** Buffers grown on demand and reused across calls: the packed filters, and per thread its image's. */
  static final class Buffers {
    private float[] upk = new float[0];
    private final float[][] pad, v, m;
    private final float[][] stage, rows;

    Buffers(int threads) {
      pad = new float[threads][0];
      v = new float[threads][0];
      m = new float[threads][0];
      stage = new float[threads][4 * KB];
      rows = new float[threads][0];
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
   * v[vo + xi*xs + ty*tw + tx] = (B^T d B)[xi] for every tile (ty, tx) of one plane's phase planes
   * (see {@link #phases}), d the tile's 4x4 window from padded row 2ty, column 2tx. B^T = [[1,0,-1,0],
   * [0,1,1,0],[0,-1,1,0],[0,1,0,-1]]: the rows of B^T d are (d0 - d2, d1 + d2, d2 - d1, d1 - d3),
   * and each row (a, b, c, d) times B is (a - c, b + c, c - b, b - d).
   */
  static void inputTransformScalar(float[] ph, int ps, int rw, int th, int tw, float[] v, int vo, int xs) {
    float[] d = new float[16], u = new float[16];
    for (int ty = 0; ty < th; ty++) {
      for (int tx = 0; tx < tw; tx++) {
        for (int r = 0; r < 4; r++) {
          for (int j = 0; j < 4; j++) d[4 * r + j] = ph[((r & 1) * 2 + (j & 1)) * ps + (ty + r / 2) * rw + tx + j / 2];
        }
        for (int j = 0; j < 4; j++) {
          u[j] = d[j] - d[8 + j];
          u[4 + j] = d[4 + j] + d[8 + j];
          u[8 + j] = d[8 + j] - d[4 + j];
          u[12 + j] = d[4 + j] - d[12 + j];
        }
        int o = vo + ty * tw + tx;
        for (int i = 0; i < 4; i++) {
          float a = u[4 * i], b = u[4 * i + 1], c = u[4 * i + 2], dd = u[4 * i + 3];
          v[o + (4 * i) * xs] = a - c;
          v[o + (4 * i + 1) * xs] = b + c;
          v[o + (4 * i + 2) * xs] = c - b;
          v[o + (4 * i + 3) * xs] = b - dd;
        }
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
