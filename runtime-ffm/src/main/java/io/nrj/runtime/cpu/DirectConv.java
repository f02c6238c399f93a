package io.nrj.runtime.cpu;

import static io.nrj.runtime.cpu.CpuBackend.F;

import io.nrj.runtime.ConvGeom;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Stride-1 convolution straight from zero-padded copies of the input planes, with no im2col: the
 * "flat padded" direct convolution. An input plane padded to (Hp, Wp) is read as one flat array;
 * output pixel (oy, ox) sits at flat index i = oy*Wp + ox, and tap (r, s) reads flat index i +
 * r*Wp + s. Every tap of a run of consecutive i is one contiguous (unaligned) vector load, so a
 * micro-tile of MR output channels by TW flat positions is the GEMM micro-kernel with its B operand
 * read in place. The Wp - OW positions at the end of each flat row are computed and thrown away
 * (why this path is only chosen where OW is most of Wp; see {@link ConvAlgo}).
 *
 * <ul>
 *   <li>forward: y (n, K, OH, OW) from x padded by p: MR=8 channels x TW=32 positions per tile,
 *       split over images;
 *   <li>backward data: the same correlation of dy, padded by R-1-p, with the flipped and
 *       transposed weights, accumulated into dx; split over images;
 *   <li>backward filter: dw[k, c, r, s] = sum over images and i of dyFlat[k, i] * xPad[c, i + r*Wp
 *       + s], where dyFlat is dy laid out with row length Wp and zeros in the thrown-away columns;
 *       vector lane partial sums over i per (4 k) x (6 (c, s) pairs) tile. Per fixed group of images
 *       ({@link PointwiseConv#IMAGE_GROUPS}), each group summed by one thread, its 16 lanes added in
 *       lane order in double and the groups in group order; or, where the tiles are too many for
 *       that ({@link #GROUP_PART_FLOATS}), split over tiles, each element summed by one thread over
 *       all images, its lanes added last in lane order in double.
 * </ul>
 *
 * Maps exactly 32 wide (one tile: the 32x32 layers) go by output rows instead ({@link #ROWS}): each
 * forward or backward-data tile is one output row, written from the registers, and the weight
 * gradient walks dy as it is, rows of 32 against x's padded rows; no thrown-away columns.
 *
 * <p>Every element's summation order is fixed by the geometry alone, so results do not depend on the
 * thread count, and the scalar fallback repeats the vector lanes' fma sequence exactly.
 */
final class DirectConv {
  private DirectConv() {}

  /** Output channels and flat positions per forward/backward-data tile. */
  static final int MR = 8, TW = 32;

  /** Backward-filter tile: FK output channels by FJ (input channel, column tap) pairs. */
  static final int FK = 4, FJ = 6;

  /** Vector lanes of the backward-filter partial sums (the scalar path keeps as many). */
  static final int LANES = 16;

  /** Whether the flat padded algorithm can compute this convolution (stride 1, pad < kernel). */
  static boolean supports(ConvGeom g) {
    return g.stride() == 1 && g.pad() <= g.r() - 1 && g.pad() <= g.s() - 1;
  }

  /**
   * Images per claimed range of the per-image passes (forward, backward data) here and in {@link
   * PointwiseConv} and {@link ChannelLaneConv}: each image's output is computed alone, so they take
   * {@link CpuThreads#parallelForDynamic}.
   */
  static final int IMAGE_GRAIN = 2;

  /** Per-thread buffers, grown on demand and reused across calls. */
  static final class Work {
    float[] src = new float[0]; // padded planes of one image
    float[] wpk = new float[0]; // packed weights
    float[] out = new float[0]; // flat output planes of one image
    private float[] part = new float[0]; // PointwiseConv's weight gradient: lane partials
    private float[] filterX = new float[0]; // backward filter: a chunk's padded x planes
    private float[] filterDy = new float[0]; // and its flat dy planes

    float[] part(int n) {
      if (part.length < n) part = new float[n];
      return part;
    }

    private MemorySegment nativePlanes = MemorySegment.NULL;

    /**
     * Off-heap room for n floats ({@link PointwiseConv}'s packed planes). Off-heap like the tensors,
     * so the vector kernels that read both see one kind of segment: a heap segment at the same call
     * sites makes their loads polymorphic, and C2's code for every caller slows down (measured: the
     * 1x1 weight gradients of ResNet-164 at half speed).
     */
    MemorySegment nativePlanes(long n) {
      if (nativePlanes.byteSize() < n * Float.BYTES) nativePlanes = Arena.ofAuto().allocate(n * Float.BYTES, 64);
      return nativePlanes;
    }

    float[] filterX(int n) {
      if (filterX.length < n) filterX = new float[n];
      return filterX;
    }

    float[] filterDy(int n) {
      if (filterDy.length < n) filterDy = new float[n];
      return filterDy;
    }

    final float[] tile = new float[MR * TW]; // one tile (PointwiseConv)
    int[] off = new int[0];

    float[] out(int n) {
      if (out.length < n) out = new float[n];
      return out;
    }

    float[] src(int n) {
      if (src.length < n) src = new float[n];
      return src;
    }

    /** Room for the weights of outs channels by nq taps packed in whole blocks of MR. */
    float[] wpk(int outs, int nq) {
      int n = (outs + MR - 1) / MR * MR * nq;
      if (wpk.length < n) wpk = new float[n];
      return wpk;
    }

    int[] off(int n) {
      if (off.length < n) off = new int[n];
      return off;
    }
  }

  /** Floats per padded plane of (hp, wp): room for a tile running past the last row. */
  static int planeStride(int hp, int wp, int s) {
    return roundUp(hp * wp + TW + s, LANES);
  }

  private static int roundUp(int v, int m) {
    return (v + m - 1) / m * m;
  }

  // ---- forward: x (n, c, h, w), w (k, c, r, s) -> y (n, k, oh, ow) ----

  /** The forward pass, x laid out by {@link Layout} (padded rows at stride 1, else stride phases). */
  static void forward(CpuThreads pool, boolean vector, Work[] work, MemorySegment x, MemorySegment w, MemorySegment y, ConvGeom g) {
    Layout lay = Layout.of(g);
    int c = g.c(), k = g.k(), r = g.r(), s = g.s();
    // weights packed as [k/MR][c, r, s][MR]: w[k, c, r, s] as is
    float[] wpk = packRows(work[0].wpk(k, c * r * s), w, k, MR, c * r * s);
    int[] off = work[0].off(c * r * s);
    for (int ci = 0; ci < c; ci++) {
      for (int rr = 0; rr < r; rr++) {
        for (int ss = 0; ss < s; ss++) off[(ci * r + rr) * s + ss] = lay.tap(ci, rr, ss);
      }
    }
    pool.parallelForDynamic(g.n(), IMAGE_GRAIN, (tid, b0, b1) -> {
      Work wk = work[tid];
      float[] src = wk.src(lay.imageFloats());
      for (int b = b0; b < b1; b++) {
        lay.lay(vector, x, (long) b * c * g.h() * g.w(), src, 0);
        correlate(vector, src, off, c * r * s, wpk, k, wk, y, (long) b * k * g.outH() * g.outW(),
            g.outH(), g.outW(), lay.rowStride(), false);
      }
    });
  }

  /**
   * How the direct kernels see one image's input: flat planes in which output position p = oy*row
   * + ox reads tap (c, r, s) at p + tap(c, r, s). Stride 1: each plane padded, rows of w + 2*pad.
   * Stride st: each plane split into st*st phase planes, phase (a, b) holding padded pixels (st*i
   * + a, st*j + b), so tap (r, s) is phase (r % st, s % st) shifted by (r / st, s / st) and every
   * tap is again a constant offset (rows of ow + (s-1)/st).
   */
  static final class Layout {
    private final ConvGeom g;
    private final int st, ps, row, hq, chanFloats, imageFloats;

    private Layout(ConvGeom g) {
      this.g = g;
      this.st = g.stride();
      if (st == 1) {
        hq = g.h() + 2 * g.pad();
        row = g.w() + 2 * g.pad();
        ps = planeStride(hq, row, g.s());
        chanFloats = ps;
        imageFloats = g.c() * ps;
      } else {
        hq = g.outH() + (g.r() - 1) / st;
        row = g.outW() + (g.s() - 1) / st;
        ps = roundUp(hq * row, LANES);
        chanFloats = st * st * ps;
        // past the last plane: room for the reads of the flat grid's last tile (discarded outputs)
        imageFloats = g.c() * chanFloats + roundUp(g.outH() * row, TW) + TW;
      }
    }

    static Layout of(ConvGeom g) {
      return new Layout(g);
    }

    int imageFloats() {
      return imageFloats;
    }

    int rowStride() {
      return row;
    }

    int tap(int ci, int rr, int ss) {
      if (st == 1) return ci * chanFloats + rr * row + ss;
      return ci * chanFloats + ((rr % st) * st + ss % st) * ps + (rr / st) * row + ss / st;
    }

    /** Lays out one image's planes (c, h, w) of seg at off into dst from d. */
    void lay(boolean vector, MemorySegment seg, long off, float[] dst, int d) {
      int p = g.pad(), h = g.h(), w = g.w();
      if (st == 1) {
        pad(vector, seg, off, g.c(), h, w, p, p, dst, d, ps, row);
        return;
      }
      Arrays.fill(dst, d, d + imageFloats, 0f);
      float[] line = new float[w]; // one input row (a Layout is shared by the threads of a call)
      for (int ci = 0; ci < g.c(); ci++) {
        for (int y = 0; y < h; y++) {
          int a = (y + p) % st, i = (y + p) / st; // padded row y + p is phase row i of phase a
          if (i >= hq) continue;
          MemorySegment.copy(seg, F, (off + ((long) ci * h + y) * w) * Float.BYTES, line, 0, w);
          for (int b = 0; b < st; b++) {
            // padded column st*j + b is input column st*j + b - p
            int base = d + ci * chanFloats + (a * st + b) * ps + i * row;
            int j0 = Math.max(0, (p - b + st - 1) / st), j1 = Math.min(row, (w - 1 + p - b) / st + 1);
            for (int j = j0, xx = st * j0 + b - p; j < j1; j++, xx += st) dst[base + j] = line[xx];
          }
        }
      }
    }
  }

  // ---- backward data: dx (n, c, h, w) += correlation of dy padded by r-1-p with flipped w^T ----

  static void backwardData(CpuThreads pool, boolean vector, Work[] work, MemorySegment dy, MemorySegment w, MemorySegment dx, ConvGeom g, boolean accumulate) {
    int c = g.c(), k = g.k(), r = g.r(), s = g.s(), oh = g.outH(), ow = g.outW();
    int qh = r - 1 - g.pad(), qw = s - 1 - g.pad();
    int hq = oh + 2 * qh, wq = ow + 2 * qw, ps = planeStride(hq, wq, s);
    // packed as [c/MR][k, r', s'][MR] with value w[k, c, r-1-r', s-1-s']
    int krs = k * r * s;
    float[] wpk = packFlippedTransposed(work[0].wpk(c, krs), w, k, c, r, s, MR);
    int[] off = offsets(work[0].off(krs), k, r, s, ps, wq);
    pool.parallelForDynamic(g.n(), IMAGE_GRAIN, (tid, b0, b1) -> {
      Work wk = work[tid];
      float[] src = wk.src(k * ps);
      for (int b = b0; b < b1; b++) {
        pad(vector, dy, (long) b * k * oh * ow, k, oh, ow, qh, qw, src, 0, ps, wq);
        correlate(vector, src, off, krs, wpk, c, wk, dx, (long) b * c * g.h() * g.w(), g.h(), g.w(), wq, accumulate);
      }
    });
  }

  /**
   * The forward weights packed in blocks of {@code block} output channels: dst[(o/block*nq + q)*block
   * + o%block] = w[o, q] (w as (outs, nq) rows), zero for o past outs up to whole blocks.
   */
  static float[] packRows(float[] dst, MemorySegment w, int outs, int block, int nq) {
    int blocks = (outs + block - 1) / block;
    for (int o = 0; o < blocks * block; o++) {
      int base = (o / block) * nq * block + o % block;
      for (int q = 0; q < nq; q++) dst[base + q * block] = o < outs ? w.getAtIndex(F, (long) o * nq + q) : 0f;
    }
    return dst;
  }

  /**
   * Backward data's weights, the flipped and transposed filters that correlate dy into dx, packed in
   * blocks of {@code block} input channels: dst[(cc/block*nq + q)*block + cc%block] = w[kk, cc, r-1-r',
   * s-1-s'] with q = (kk*r + r')*s + s' and nq = k*r*s, zero for cc past c up to whole blocks. Read
   * in the segment's order, one filter (kk, cc) at a time: its r*s taps land, reversed, at q = kk*r*s
   * + r*s-1-t for its t-th element (no divisions per element: a 64x64 3x3 layer packs in about a
   * fifth of the time the index arithmetic took).
   */
  static float[] packFlippedTransposed(float[] dst, MemorySegment w, int k, int c, int r, int s, int block) {
    int rs = r * s, nq = k * rs, blocks = (c + block - 1) / block;
    float[] filter = new float[rs];
    for (int kk = 0; kk < k; kk++) {
      for (int cc = 0; cc < c; cc++) {
        MemorySegment.copy(w, F, ((long) kk * c + cc) * rs * Float.BYTES, filter, 0, rs);
        int d0 = (cc / block * nq + kk * rs) * block + cc % block;
        for (int t = 0; t < rs; t++) dst[d0 + (rs - 1 - t) * block] = filter[t];
      }
    }
    for (int cc = c; cc < blocks * block; cc++) {
      int d0 = cc / block * nq * block + cc % block;
      for (int q = 0; q < nq; q++) dst[d0 + q * block] = 0f;
    }
    return dst;
  }

  // off[(ci*r + rr)*s + ss] = ci*ps + rr*wp + ss: where tap q reads, from the window's corner
  static int[] offsets(int[] off, int planes, int r, int s, int ps, int wp) {
    for (int ci = 0; ci < planes; ci++) {
      for (int rr = 0; rr < r; rr++) {
        for (int ss = 0; ss < s; ss++) off[(ci * r + rr) * s + ss] = ci * ps + rr * wp + ss;
      }
    }
    return off;
  }

  /**
   * Copies planes (h, w) of seg at off into dst with ph zero rows above and below, pw zero columns
   * left and right (row length w + 2*pw), each plane ps floats apart from dOff; the rest of each
   * plane is 0.
   */
  static void pad(
      boolean vector, MemorySegment seg, long off, int planes, int h, int w, int ph, int pw, float[] dst, int dOff, int ps, int wp) {
    if (ph == 0 && pw == 0) { // (a 1x1 conv) each plane is one run
      for (int ci = 0; ci < planes; ci++) {
        int d = dOff + ci * ps;
        MemorySegment.copy(seg, F, (off + (long) ci * h * w) * Float.BYTES, dst, d, h * w);
        Arrays.fill(dst, d + h * w, d + ps, 0f);
      }
      return;
    }
    for (int ci = 0; ci < planes; ci++) {
      int d = dOff + ci * ps;
      Arrays.fill(dst, d, d + ps, 0f);
      copyRowsIn(vector, seg, off + (long) ci * h * w, w, h, w, dst, d + ph * wp + pw, wp);
    }
  }

  // dst[d + y*dstStride + j] = seg[src + y*srcStride + j] for y < rows, j < len
  private static void copyRowsIn(boolean vector, MemorySegment seg, long src, int srcStride, int rows, int len, float[] dst, int d, int dstStride) {
    if (vector) {
      VectorKernels.copyRowsIn(seg, src, srcStride, rows, len, dst, d, dstStride);
      return;
    }
    for (int y = 0; y < rows; y++) MemorySegment.copy(seg, F, (src + (long) y * srcStride) * Float.BYTES, dst, d + y * dstStride, len);
  }

  /**
   * out[o, oy, ox] (+)= sum over q of wpk[o, q] * src[i + off[q]] for i = oy*wp + ox, for every
   * output plane o &lt; outs of (oh, ow) at outOff. Tiles of MR planes by TW flat positions go to
   * flat planes in wk.out (tile by tile, every block of MR planes for one run of positions while
   * its input window is in L1), whose pixels are then copied (or added) into out row by row.
   */
  private static void correlate(
      boolean vector, float[] src, int[] off, int nq, float[] wpk, int outs, Work wk,
      MemorySegment out, long outOff, int oh, int ow, int wp, boolean accumulate) {
    if (vector && ROWS && ow == TW && outs % MR == 0 && nq <= Q_BLOCK) {
      // rows of exactly one tile: each tile is an output row, written from the registers (no tile
      // buffer, no copy out, none of the flat layout's thrown-away columns computed)
      long plane = (long) oh * ow;
      for (int oy = 0; oy < oh; oy++) {
        for (int ob = 0; ob < outs / MR; ob++) {
          long o = outOff + ob * MR * plane + (long) oy * ow;
          if (accumulate) VectorKernels.direct8x32StoreAdd(src, oy * wp, off, nq, wpk, ob * MR * nq, out, o, plane);
          else VectorKernels.direct8x32Store(src, oy * wp, off, nq, wpk, ob * MR * nq, out, o, plane);
        }
      }
      return;
    }
    int flat = oh * wp, fl = roundUp(flat, TW), blocks = (outs + MR - 1) / MR;
    float[] dst = wk.out(blocks * MR * fl);
    if (nq <= Q_BLOCK) {
      // every block's weights and the tile's input window fit in L1 together
      for (int i0 = 0; i0 < flat; i0 += TW) {
        for (int ob = 0; ob < blocks; ob++) tile(vector, src, i0, off, 0, nq, wpk, ob * MR * nq, dst, ob * MR * fl + i0, fl);
      }
    } else {
      // long reductions: Q_BLOCK taps at a time so their weights stay in L1 across the tiles
      for (int ob = 0; ob < blocks; ob++) {
        for (int q0 = 0; q0 < nq; q0 += Q_BLOCK) {
          int q1 = Math.min(nq, q0 + Q_BLOCK);
          for (int i0 = 0; i0 < flat; i0 += TW) tile(vector, src, i0, off, q0, q1, wpk, ob * MR * nq, dst, ob * MR * fl + i0, fl);
        }
      }
    }
    for (int o = 0; o < outs; o++) {
      if (vector) {
        VectorKernels.copyRowsOut(dst, o * fl, wp, oh, ow, out, outOff + (long) o * oh * ow, ow, accumulate);
      } else {
        for (int oy = 0; oy < oh; oy++) {
          Sgemm.addRun(false, dst, o * fl + oy * wp, out, outOff + ((long) o * oh + oy) * ow, ow, accumulate);
        }
      }
    }
  }

  /**
   * Whether maps exactly one tile wide (32 columns: the 32x32 layers) go by output rows ({@code
   * -Dnrj.cpu.rows=false} turns it off, for A/B runs).
   */
  static final boolean ROWS = !"false".equals(System.getProperty("nrj.cpu.rows"));

  /** Taps per weight block of a long reduction: 256 taps x 8 channels = 8 KiB of weights. */
  static final int Q_BLOCK = 256;

  private static void tile(boolean vector, float[] src, int i0, int[] off, int q0, int q1, float[] wpk, int wo, float[] dst, int d, int ld) {
    if (vector) VectorKernels.direct8x32(src, i0, off, q0, q1, wpk, wo, dst, d, ld);
    else direct8x32Scalar(src, i0, off, q0, q1, wpk, wo, dst, d, ld);
  }

  // dst[d + m*ld + j] (+)= sum over q in [q0, q1) of wpk[wo + q*MR + m] * src[i0 + off[q] + j], m < MR,
  // j < TW, in q order; from zero when q0 == 0
  static void direct8x32Scalar(float[] src, int i0, int[] off, int q0, int q1, float[] wpk, int wo, float[] dst, int d, int ld) {
    if (q0 == 0) for (int m = 0; m < MR; m++) Arrays.fill(dst, d + m * ld, d + m * ld + TW, 0f);
    for (int q = q0; q < q1; q++) {
      int si = i0 + off[q], wi = wo + q * MR;
      for (int m = 0; m < MR; m++) {
        float a = wpk[wi + m];
        int t = d + m * ld;
        for (int j = 0; j < TW; j++) dst[t + j] = Math.fma(a, src[si + j], dst[t + j]);
      }
    }
  }

  // ---- backward filter: dw (k, c, r, s) += sum over n, i of dyFlat[k, i] * xPad[c, i + r*wp + s] ----

  /** The weight gradient, x laid out by {@link Layout} (padded rows at stride 1, else stride phases). */
  static void backwardFilter(
      CpuThreads pool, boolean vector, Work[] work, FilterBuffers fb, MemorySegment x, MemorySegment dy, MemorySegment dw, ConvGeom g) {
    Layout lay = Layout.of(g);
    int partFloats = filterTasks(g) * FK * FJ * LANES;
    if (partFloats > GROUP_PART_FLOATS) byTasks(pool, vector, work, fb.part(partFloats), x, dy, dw, g, lay);
    else byImageGroups(pool, vector, work, fb, x, dy, dw, g, lay);
  }

  // tasks of the weight gradient: (k block of FK, row tap r, block of FJ (input channel, column tap) pairs)
  private static int filterTasks(ConvGeom g) {
    return (g.k() + FK - 1) / FK * g.r() * ((g.c() * g.s() + FJ - 1) / FJ);
  }

  // The weight gradient split by fixed groups of images (see backwardFilter).
  static void byImageGroups(
      CpuThreads pool, boolean vector, Work[] work, FilterBuffers fb, MemorySegment x, MemorySegment dy, MemorySegment dw, ConvGeom g, Layout lay) {
    int n = g.n(), c = g.c(), k = g.k(), r = g.r(), s = g.s(), oh = g.outH(), ow = g.outW();
    int wp = lay.rowStride();
    // maps one tile wide go by output rows (VectorKernels.filter4x6's skip): dy as it is, two
    // vectors per row, no thrown-away columns; else the flat layout, dy widened to x's rows
    boolean rows = ROWS && g.stride() == 1 && ow == TW;
    int nvec = (oh * wp + LANES - 1) / LANES, pl = rows ? oh * ow : nvec * LANES;
    int vecs = rows ? 2 * oh : nvec, skip = rows ? wp - TW : 0;
    int xImg = lay.imageFloats();
    int pairs = c * s, jBlocks = (pairs + FJ - 1) / FJ;
    int tasks = filterTasks(g), tileFloats = FK * FJ * LANES, crs = c * r * s;
    int groups = Math.min(n, PointwiseConv.IMAGE_GROUPS), dyImg = k * pl;
    double[] sums = fb.groupSums(groups * k * crs);
    // Split by fixed groups of images, claimed by whichever thread is free: each image's x and dy
    // are laid out once, by the thread that sums them, a chunk of images at a time small enough to
    // stay in its L2 while every task sweeps it. Each group's lane partials are added in double per
    // weight, and the groups in order (PointwiseConv.addGroupSums), so the result depends on the
    // geometry alone, not on the thread count or which thread took which group.
    pool.parallelForDynamic(groups, 1, (tid, g0, g1) -> {
      Work wk = work[tid];
      float[] part = wk.part(tasks * tileFloats);
      int[] dyo = new int[FK], xo = new int[FJ];
      for (int gi = g0; gi < g1; gi++) {
        int from = (int) ((long) gi * n / groups), to = (int) ((long) (gi + 1) * n / groups);
        int chunk = Math.max(1, Math.min(to - from, CHUNK_FLOATS / (xImg + dyImg)));
        float[] xs = wk.filterX(chunk * xImg), dys = wk.filterDy(chunk * dyImg);
        Arrays.fill(part, 0, tasks * tileFloats, 0f);
        for (int b0 = from; b0 < to; b0 += chunk) {
          int nimg = Math.min(chunk, to - b0);
          for (int b = 0; b < nimg; b++) {
            lay.lay(vector, x, (long) (b0 + b) * c * g.h() * g.w(), xs, b * xImg);
            long dyOff = (long) (b0 + b) * k * oh * ow;
            if (rows) MemorySegment.copy(dy, F, dyOff * Float.BYTES, dys, b * dyImg, dyImg);
            else flatten(vector, dy, dyOff, k, oh, ow, wp, pl, dys, b * dyImg);
          }
          for (int t = 0; t < tasks; t++) {
            taskOffsets(t, r, jBlocks, k, pairs, s, lay, pl, dyo, xo);
            int po = t * tileFloats;
            if (vector) VectorKernels.filter4x6(dys, 0, dyImg, dyo, xs, 0, xImg, xo, nimg, vecs, skip, part, po);
            else filter4x6Scalar(dys, 0, dyImg, dyo, xs, 0, xImg, xo, nimg, vecs, skip, part, po);
          }
        }
        for (int t = 0; t < tasks; t++) {
          int kb = t / (r * jBlocks), rr = (t / jBlocks) % r, jb = t % jBlocks;
          for (int m = 0; m < FK && kb * FK + m < k; m++) {
            for (int j = 0; j < FJ && jb * FJ + j < pairs; j++) {
              int pair = jb * FJ + j, ci = pair / s, ss = pair % s;
              double sum = 0;
              int o = t * tileFloats + (m * FJ + j) * LANES;
              for (int l = 0; l < LANES; l++) sum += part[o + l];
              sums[(gi * k + kb * FK + m) * crs + (ci * r + rr) * s + ss] = sum;
            }
          }
        }
      }
    });
    PointwiseConv.addGroupSums(pool, sums, groups, k, crs, true, dw);
  }

  /**
   * The largest lane partials (tasks x tile floats) summed per image group: a thread sweeps all of
   * them for every chunk of its group's images, which pays while they share its L2 with the chunk.
   * Measured with {@code FilterSplitBench} (the two splits in turn in one JVM, 2 threads, n = 64 at
   * 32x32): 3->16 (9,216 floats) 1.66x and 16->16 (36,864) 1.09 to 1.11x by groups; 32->32
   * (147,456) 0.88x and 64->64 (589,824) 0.87x, so past this the weights are split ({@code byTasks}).
   */
  static final int GROUP_PART_FLOATS = 1 << 16;

  // The weight gradient split by weight tiles: every element summed by one thread over all images.
  static void byTasks(
      CpuThreads pool, boolean vector, Work[] work, float[] part, MemorySegment x, MemorySegment dy, MemorySegment dw, ConvGeom g, Layout lay) {
    int n = g.n(), c = g.c(), k = g.k(), r = g.r(), s = g.s(), oh = g.outH(), ow = g.outW();
    int wp = lay.rowStride();
    int nvec = (oh * wp + LANES - 1) / LANES, pl = nvec * LANES;
    int xImg = lay.imageFloats();
    int pairs = c * s, jBlocks = (pairs + FJ - 1) / FJ;
    int tasks = filterTasks(g), tileFloats = FK * FJ * LANES;
    // Each thread lays out, in its own buffers, the images its tasks read (every x plane, the dy
    // planes of its output channels), a chunk of images at a time small enough to stay in its L2
    // while its tasks sweep it: nothing crosses between cores and no thread waits for another.
    // Chunking does not change any sum (lane partials carry on from chunk to chunk).
    pool.parallelFor(tasks, (tid, t0, t1) -> {
      Work wk = work[tid];
      int kLo = (t0 / (r * jBlocks)) * FK, kHi = Math.min(k, ((t1 - 1) / (r * jBlocks) + 1) * FK);
      int dyImg = (kHi - kLo) * pl;
      int chunk = Math.max(1, Math.min(n, CHUNK_FLOATS / (xImg + dyImg)));
      float[] xs = wk.filterX(chunk * xImg), dys = wk.filterDy(chunk * dyImg);
      int[] dyo = new int[FK], xo = new int[FJ];
      Arrays.fill(part, t0 * tileFloats, t1 * tileFloats, 0f);
      for (int b0 = 0; b0 < n; b0 += chunk) {
        int nimg = Math.min(chunk, n - b0);
        for (int b = 0; b < nimg; b++) {
          lay.lay(vector, x, (long) (b0 + b) * c * g.h() * g.w(), xs, b * xImg);
          flatten(vector, dy, ((long) (b0 + b) * k + kLo) * oh * ow, kHi - kLo, oh, ow, wp, pl, dys, b * dyImg);
        }
        for (int t = t0; t < t1; t++) {
          taskOffsets(t, r, jBlocks, k, pairs, s, lay, pl, dyo, xo);
          for (int m = 0; m < FK; m++) dyo[m] -= kLo * pl;
          if (vector) {
            VectorKernels.filter4x6(dys, 0, dyImg, dyo, xs, 0, xImg, xo, nimg, nvec, 0, part, t * tileFloats);
          } else {
            filter4x6Scalar(dys, 0, dyImg, dyo, xs, 0, xImg, xo, nimg, nvec, 0, part, t * tileFloats);
          }
        }
      }
      for (int t = t0; t < t1; t++) {
        int kb = t / (r * jBlocks), rr = (t / jBlocks) % r, jb = t % jBlocks;
        for (int m = 0; m < FK && kb * FK + m < k; m++) {
          for (int j = 0; j < FJ && jb * FJ + j < pairs; j++) {
            int pair = jb * FJ + j, ci = pair / s, ss = pair % s;
            long e = (((long) (kb * FK + m) * c + ci) * r + rr) * s + ss;
            double sum = 0;
            int o = t * tileFloats + (m * FJ + j) * LANES;
            for (int l = 0; l < LANES; l++) sum += part[o + l];
            dw.setAtIndex(F, e, (float) (dw.getAtIndex(F, e) + sum));
          }
        }
      }
    });
  }

  /** Floats of x and dy per backward-filter image chunk (512 KiB: well inside L2). */
  static final int CHUNK_FLOATS = Integer.getInteger("nrj.chunk", 1 << 17);

  // offsets of task t = (k block, r, pair block): dy planes and x taps; out-of-range rows and pairs
  // read valid memory and are discarded
  private static void taskOffsets(int t, int r, int jBlocks, int k, int pairs, int s, Layout lay, int pl, int[] dyo, int[] xo) {
    int kb = t / (r * jBlocks), rr = (t / jBlocks) % r, jb = t % jBlocks;
    for (int m = 0; m < FK; m++) dyo[m] = Math.min(kb * FK + m, k - 1) * pl;
    for (int j = 0; j < FJ; j++) {
      int pair = Math.min(jb * FJ + j, pairs - 1), ci = pair / s, ss = pair % s;
      xo[j] = lay.tap(ci, rr, ss);
    }
  }

  // part[po + (m*FJ + j)*LANES + l] += sum over images and t of dy[dyBase + b*dyStride + dyo[m] + t*LANES + l]
  //   * x[xBase + b*xStride + xo[j] + t*LANES + (t/2)*skip + l], one fma chain per lane in (image, t)
  //   order (skip: see VectorKernels.filter4x6)
  static void filter4x6Scalar(
      float[] dy, int dyBase, int dyStride, int[] dyo, float[] x, int xBase, int xStride, int[] xo,
      int nimg, int nvec, int skip, float[] part, int po) {
    for (int m = 0; m < FK; m++) {
      for (int j = 0; j < FJ; j++) {
        int o = po + (m * FJ + j) * LANES;
        for (int l = 0; l < LANES; l++) {
          float acc = part[o + l];
          for (int b = 0; b < nimg; b++) {
            int di = dyBase + b * dyStride + dyo[m] + l, xi = xBase + b * xStride + xo[j] + l;
            for (int t = 0; t < nvec; t++) acc = Math.fma(dy[di + t * LANES], x[xi + t * LANES + (t >> 1) * skip], acc);
          }
          part[o + l] = acc;
        }
      }
    }
  }

  /** The per-group sums of a weight gradient, or the lane partials of one split by weights. */
  static final class FilterBuffers {
    private float[] part = new float[0];
    private double[] groupSums = new double[0];

    float[] part(int n) {
      if (part.length < n) part = new float[n];
      return part;
    }

    double[] groupSums(int n) {
      if (groupSums.length < n) groupSums = new double[n];
      return groupSums;
    }
  }

  // dst[d + ki*pl + oy*wp + ox] = dy[off + (ki*oh + oy)*ow + ox], zero in the other positions
  private static void flatten(boolean vector, MemorySegment dy, long off, int k, int oh, int ow, int wp, int pl, float[] dst, int d) {
    Arrays.fill(dst, d, d + k * pl, 0f);
    for (int ki = 0; ki < k; ki++) copyRowsIn(vector, dy, off + (long) ki * oh * ow, ow, oh, ow, dst, d + ki * pl, wp);
  }

}
