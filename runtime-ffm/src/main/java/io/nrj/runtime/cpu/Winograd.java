package io.nrj.runtime.cpu;

import static io.nrj.runtime.cpu.CpuBackend.F;

import io.nrj.runtime.ConvGeom;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * 3x3 stride-1 convolution with padding 1 by Winograd's minimal filtering F(2x2, 3x3) (Lavin and
 * Gray, "Fast Algorithms for Convolutional Neural Networks", 2016): every 4x4 input tile (stride
 * 2) and every 3x3 filter are transformed to 4x4, multiplied element by element, summed over input
 * channels, and transformed back to a 2x2 output tile: 16 multiply-adds per output pair of 2x2
 * pixels per input channel instead of 36. The sum over channels is 16 ordinary matrix products,
 * one per transformed position xi:
 *
 * <pre>
 *   U[xi] (K, C) = (G g G^T)[xi]      V[xi] (C, tiles) = (B^T d B)[xi]      M[xi] = U[xi] V[xi]
 *   y (2x2 per tile) = A^T M A
 * </pre>
 *
 * run on {@link Sgemm}, so every sum keeps a fixed order whatever the thread count. The transforms'
 * coefficients are 0, +-1 and 1/2, exact in binary, so results stay within float rounding of the
 * direct convolution (checked against direct loops in ConvKernelsTest). Backward data is the same
 * computation on dy with the flipped, transposed filters, added into dx.
 *
 * <p>Used for the wide layers (see {@link ConvAlgo}), where the products are long (many channels)
 * and the transforms cheap beside them. Images go through in chunks whose transformed tiles take
 * about {@link #CHUNK_FLOATS} floats: all threads transform a chunk (split by image and channel),
 * then multiply it (split by xi), then transform it back.
 */
final class Winograd {
  private Winograd() {}

  /** Transformed positions per tile. */
  static final int XI = 16;

  /** Floats of transformed input and output tiles per chunk of images. */
  static final long CHUNK_FLOATS = 1 << 22;

  static boolean supports(ConvGeom g) {
    return g.r() == 3 && g.s() == 3 && g.stride() == 1 && g.pad() == 1;
  }

  /** Off-heap buffers reused across calls: transformed filters, input tiles and products. */
  static final class Buffers implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private MemorySegment u = MemorySegment.NULL, v = MemorySegment.NULL, m = MemorySegment.NULL;

    private MemorySegment grow(MemorySegment s, long floats) {
      return s.byteSize() >= 4 * floats ? s : arena.allocate(4 * floats, 64);
    }

    MemorySegment u(long floats) {
      return u = grow(u, floats);
    }

    MemorySegment v(long floats) {
      return v = grow(v, floats);
    }

    MemorySegment m(long floats) {
      return m = grow(m, floats);
    }

    @Override
    public void close() {
      arena.close();
    }
  }

  // ---- forward: x (n, c, h, w), w (k, c, 3, 3) -> y (n, k, h, w) ----

  static void forward(CpuThreads pool, boolean vector, Sgemm.Work[] work, Buffers bufs, MemorySegment x, MemorySegment w, MemorySegment y, ConvGeom g) {
    int c = g.c(), k = g.k();
    MemorySegment u = bufs.u((long) XI * k * c);
    // U[xi][o][i] = (G w[o][i] G^T)[xi]: row o's filters are contiguous in w
    pool.parallelFor(k, (tid, o0, o1) -> {
      float[] f = new float[9 * roundUp(c)];
      for (int o = o0; o < o1; o++) {
        MemorySegment.copy(w, F, (long) o * c * 9 * Float.BYTES, f, 0, 9 * c);
        filterRow(vector, f, c, false, u, (long) o * c, (long) k * c);
      }
    });
    correlate(pool, vector, work, bufs, x, c, u, y, k, g.n(), g.h(), g.w(), false);
  }

  static void backwardData(
      CpuThreads pool, boolean vector, Sgemm.Work[] work, Buffers bufs, MemorySegment dy, MemorySegment w, MemorySegment dx, ConvGeom g, boolean accumulate) {
    int c = g.c(), k = g.k();
    MemorySegment u = bufs.u((long) XI * k * c);
    // U[xi][i][o] = (G w'[i][o] G^T)[xi] with w'[i][o][r][s] = w[o][i][2-r][2-s]: column i of w
    pool.parallelFor(c, (tid, i0, i1) -> {
      float[] f = new float[9 * roundUp(k)];
      for (int i = i0; i < i1; i++) {
        for (int o = 0; o < k; o++) MemorySegment.copy(w, F, ((long) o * c + i) * 9 * Float.BYTES, f, 9 * o, 9);
        filterRow(vector, f, k, true, u, (long) i * k, (long) c * k);
      }
    });
    correlate(pool, vector, work, bufs, dy, k, u, dx, c, g.n(), g.h(), g.w(), accumulate);
  }

  private static int roundUp(int n) {
    return (n + 15) / 16 * 16;
  }

  /**
   * U[xi][at + j] = (G f_j G^T)[xi] for the count filters f_j = f[9j .. 9j+9) (row-major 3x3;
   * flipped: read backwards), xi planes xiStride floats apart.
   */
  private static void filterRow(boolean vector, float[] f, int count, boolean flipped, MemorySegment u, long at, long xiStride) {
    if (vector) {
      VectorKernels.winogradFilters(f, count, flipped, u, at, xiStride);
      return;
    }
    float[] one = new float[9];
    for (int j = 0; j < count; j++) {
      for (int e = 0; e < 9; e++) one[e] = f[9 * j + (flipped ? 8 - e : e)];
      filterTransform(one, u, at + j, xiStride);
    }
  }

  /**
   * U[xi][e] = (G f G^T)[xi] for a 3x3 filter f (row-major), written at u[xi*stride + e]. G =
   * [[1,0,0],[1/2,1/2,1/2],[1/2,-1/2,1/2],[0,0,1]].
   */
  static void filterTransform(float[] f, MemorySegment u, long e, long stride) {
    float[] t = new float[12], q = new float[XI];
    filterTransform(f, t, q);
    for (int xi = 0; xi < XI; xi++) u.setAtIndex(F, xi * stride + e, q[xi]);
  }

  /** q[xi] = (G f G^T)[xi] for a 3x3 filter f (row-major), through t = G f (4x3, scratch). */
  static void filterTransform(float[] f, float[] t, float[] q) {
    for (int j = 0; j < 3; j++) {
      float a = f[j], b = f[3 + j], cc = f[6 + j];
      t[j] = a;
      t[3 + j] = 0.5f * (a + b + cc);
      t[6 + j] = 0.5f * (a - b + cc);
      t[9 + j] = cc;
    }
    for (int i = 0; i < 4; i++) {
      float a = t[3 * i], b = t[3 * i + 1], cc = t[3 * i + 2];
      q[4 * i] = a;
      q[4 * i + 1] = 0.5f * (a + b + cc);
      q[4 * i + 2] = 0.5f * (a - b + cc);
      q[4 * i + 3] = cc;
    }
  }

  /**
   * out[b, o] (+)= sum over i of the 3x3 correlation (padding 1) of in[b, i] with the filter whose
   * transform is U[xi][o][i], for planes of (h, w); inC input and outC output planes per image.
   */
  private static void correlate(
      CpuThreads pool, boolean vector, Sgemm.Work[] work, Buffers bufs, MemorySegment in, int inC,
      MemorySegment u, MemorySegment out, int outC, int n, int h, int w, boolean accumulate) {
    int th = (h + 1) / 2, tw = (w + 1) / 2, tiles = th * tw;
    int chunk = (int) Math.max(1, Math.min(n, CHUNK_FLOATS / ((long) XI * (inC + outC) * tiles)));
    long cols = (long) chunk * tiles;
    MemorySegment v = bufs.v(XI * inC * cols), m = bufs.m(XI * outC * cols);
    for (int b0 = 0; b0 < n; b0 += chunk) {
      int first = b0, nimg = Math.min(chunk, n - b0);
      int nc = nimg * tiles; // columns of this chunk's products
      transformInputs(pool, vector, in, inC, first, nimg, h, w, v, cols);
      // M[xi] (outC, nc) = U[xi] (outC, inC) V[xi] (inC, nc), one product per xi
      pool.parallelFor(XI, (tid, x0, x1) -> {
        for (int xi = x0; xi < x1; xi++) {
          Sgemm.run(vector, work[tid], 0, outC, 0, nc, inC,
              Sgemm.stridedA(u, (long) xi * outC * inC, inC, 1),
              Sgemm.stridedB(v, (long) xi * inC * cols, cols, 1),
              Sgemm.rowMajorC(vector, m, (long) xi * outC * cols, cols, false));
        }
      });
      pool.parallelFor(outC, (tid, o0, o1) -> {
        int planeFloats = 4 * tiles; // whole tiles: (2*th, 2*tw)
        float[] tilesOut = new float[nimg * planeFloats];
        int[] off = corners(nimg, th, tw, 2 * tw, planeFloats);
        for (int o = o0; o < o1; o++) {
          outputTransform(vector, m, (long) o * cols, (long) outC * cols, nc, off, 2 * tw, tilesOut);
          for (int b = 0; b < nimg; b++) {
            long plane = ((long) (first + b) * outC + o) * h * w;
            copyOut(vector, tilesOut, b * planeFloats, 2 * tw, out, plane, h, w, accumulate);
          }
        }
      });
    }
  }

  /**
   * V[xi][i][b*tiles + t] = the transformed tiles of plane i of images first .. first+nimg-1 of
   * in (inC planes of (h, w) per image), all planes of the chunk at once per input channel.
   */
  private static void transformInputs(
      CpuThreads pool, boolean vector, MemorySegment in, int inC, int first, int nimg, int h, int w, MemorySegment v, long cols) {
    int th = (h + 1) / 2, tw = (w + 1) / 2, nc = nimg * th * tw;
    pool.parallelFor(inC, (tid, i0, i1) -> {
      int planeFloats = (2 * th + 2) * rowLength(tw);
      float[] pad = new float[nimg * planeFloats + 64];
      int[] off = corners(nimg, th, tw, rowLength(tw), planeFloats);
      for (int i = i0; i < i1; i++) {
        for (int b = 0; b < nimg; b++) {
          padPlane(in, ((long) (first + b) * inC + i) * h * w, h, w, tw, pad, b * planeFloats, planeFloats);
        }
        inputTransform(vector, pad, rowLength(tw), nc, off, v, (long) i * cols, (long) inC * cols);
      }
    });
  }

  // ---- backward filter: dw (k, c, 3, 3) += sum over images and tiles of G^T [(A dy A^T) . (B^T x B)] G ----

  /**
   * The weight gradient by the transpose of the forward algorithm: with V = B^T x B as in forward
   * and Y = A dy A^T for every 2x2 tile of dy (A = (A^T)^T), dU[xi] (K, C) = sum over tiles of
   * Y[xi] V[xi]^T (16 products, long sums over the tiles), and dw += G^T dU G.
   */
  static void backwardFilter(CpuThreads pool, boolean vector, Sgemm.Work[] work, Buffers bufs, MemorySegment x, MemorySegment dy, MemorySegment dw, ConvGeom g) {
    int n = g.n(), c = g.c(), k = g.k(), h = g.h(), w = g.w();
    int th = (h + 1) / 2, tw = (w + 1) / 2, tiles = th * tw;
    int chunk = (int) Math.max(1, Math.min(n, CHUNK_FLOATS / ((long) XI * (c + k) * tiles)));
    long cols = (long) chunk * tiles;
    MemorySegment v = bufs.v(XI * c * cols), yt = bufs.m(XI * k * cols), du = bufs.u((long) XI * k * c);
    for (int b0 = 0; b0 < n; b0 += chunk) {
      int first = b0, nimg = Math.min(chunk, n - b0), nc = nimg * tiles;
      transformInputs(pool, vector, x, c, first, nimg, h, w, v, cols);
      pool.parallelFor(k, (tid, o0, o1) -> {
        int planeFloats = (2 * th) * (2 * tw) + 64;
        float[] pad = new float[nimg * planeFloats + 64];
        int[] off = corners(nimg, th, tw, 2 * tw, planeFloats);
        for (int o = o0; o < o1; o++) {
          for (int b = 0; b < nimg; b++) {
            long plane = ((long) (first + b) * k + o) * h * w;
            java.util.Arrays.fill(pad, b * planeFloats, (b + 1) * planeFloats, 0f);
            for (int yy = 0; yy < h; yy++) MemorySegment.copy(dy, F, (plane + (long) yy * w) * Float.BYTES, pad, b * planeFloats + yy * 2 * tw, w);
          }
          gradientTransform(vector, pad, 2 * tw, nc, off, yt, (long) o * cols, (long) k * cols);
        }
      });
      // dU[xi] (k, c) (+)= Y[xi] (k, nc) V[xi]^T (nc, c)
      boolean firstChunk = b0 == 0;
      pool.parallelFor(XI, (tid, x0, x1) -> {
        for (int xi = x0; xi < x1; xi++) {
          Sgemm.run(vector, work[tid], 0, k, 0, c, nc,
              Sgemm.stridedA(yt, (long) xi * k * cols, cols, 1),
              Sgemm.stridedB(v, (long) xi * c * cols, 1, cols),
              Sgemm.rowMajorC(vector, du, (long) xi * k * c, c, !firstChunk));
        }
      });
    }
    // dw[o][i] += G^T dU[o][i] G
    pool.parallelFor(k, (tid, o0, o1) -> {
      float[] rows = new float[XI * c], out = new float[9 * c];
      for (int o = o0; o < o1; o++) {
        for (int xi = 0; xi < XI; xi++) MemorySegment.copy(du, F, ((long) xi * k + o) * c * Float.BYTES, rows, xi * c, c);
        MemorySegment.copy(dw, F, (long) o * c * 9 * Float.BYTES, out, 0, 9 * c);
        float[] q = new float[16], r = new float[9], t = new float[12];
        for (int i = 0; i < c; i++) {
          for (int xi = 0; xi < XI; xi++) q[xi] = rows[xi * c + i];
          filterGradientTile(q, r, t);
          for (int e = 0; e < 9; e++) out[9 * i + e] += r[e];
        }
        MemorySegment.copy(out, 0, dw, F, (long) o * c * 9 * Float.BYTES, 9 * c);
      }
    });
  }

  /**
   * Y[xi][t] (at yt + at + xi*xiStride + t) = (A d A^T)[xi] for every tile t &lt; count, whose 2x2
   * window d of dy has its top-left corner at pad[off[t]] (rows rl floats apart). A = [[1,0],
   * [1,1],[1,-1],[0,-1]].
   */
  static void gradientTransform(boolean vector, float[] pad, int rl, int count, int[] off, MemorySegment yt, long at, long xiStride) {
    if (vector) {
      VectorKernels.winogradGradient(pad, rl, count, off, yt, at, xiStride);
      return;
    }
    float[] d = new float[4], t = new float[16];
    for (int tile = 0; tile < count; tile++) {
      d[0] = pad[off[tile]];
      d[1] = pad[off[tile] + 1];
      d[2] = pad[off[tile] + rl];
      d[3] = pad[off[tile] + rl + 1];
      gradientTile(d, t);
      for (int xi = 0; xi < XI; xi++) yt.setAtIndex(F, at + xi * xiStride + tile, t[xi]);
    }
  }

  /** t = A d A^T for one 2x2 tile d (row-major; the vector path does the same operations). */
  static void gradientTile(float[] d, float[] t) {
    float[] r = new float[8]; // A d: 4x2
    for (int j = 0; j < 2; j++) {
      float a = d[j], b = d[2 + j];
      r[j] = a;
      r[2 + j] = a + b;
      r[4 + j] = a - b;
      r[6 + j] = -b;
    }
    for (int i = 0; i < 4; i++) {
      float p = r[2 * i], q = r[2 * i + 1];
      t[4 * i] = p;
      t[4 * i + 1] = p + q;
      t[4 * i + 2] = p - q;
      t[4 * i + 3] = -q;
    }
  }

  /**
   * r (3x3) = G^T q G for one 4x4 tile q of dU. G^T = [[1,1/2,1/2,0],[0,1/2,-1/2,0],[0,1/2,1/2,1]].
   */
  static void filterGradientTile(float[] q, float[] r, float[] t) { // t: scratch for G^T q, 3x4
    for (int j = 0; j < 4; j++) {
      float a = q[j], b = q[4 + j], c = q[8 + j], d = q[12 + j];
      t[j] = a + (b + c) * 0.5f;
      t[4 + j] = (b - c) * 0.5f;
      t[8 + j] = (b + c) * 0.5f + d;
    }
    for (int i = 0; i < 3; i++) {
      float a = t[4 * i], b = t[4 * i + 1], c = t[4 * i + 2], d = t[4 * i + 3];
      r[3 * i] = a + (b + c) * 0.5f;
      r[3 * i + 1] = (b - c) * 0.5f;
      r[3 * i + 2] = (b + c) * 0.5f + d;
    }
  }

  /**
   * The top-left corner of every tile t = b*th*tw + ty*tw + tx of nimg planes planeFloats apart
   * with rows of rl floats (tiles stride 2), padded with copies of the last to whole vectors so
   * that gathers past the last tile stay inside.
   */
  static int[] corners(int nimg, int th, int tw, int rl, int planeFloats) {
    int tiles = th * tw, all = nimg * tiles;
    int[] off = new int[(all + 15) / 16 * 16];
    for (int t = 0; t < off.length; t++) {
      int tt = Math.min(t, all - 1), b = tt / tiles, r = tt % tiles;
      off[t] = b * planeFloats + 2 * (r / tw) * rl + 2 * (r % tw);
    }
    return off;
  }

  // plane (h, w) of seg at plane, padded by one zero row and column (and to whole tiles), at pad[d]
  private static void padPlane(MemorySegment seg, long plane, int h, int w, int tw, float[] pad, int d, int planeFloats) {
    int rl = rowLength(tw);
    java.util.Arrays.fill(pad, d, d + planeFloats, 0f);
    for (int yy = 0; yy < h; yy++) MemorySegment.copy(seg, F, (plane + (long) yy * w) * Float.BYTES, pad, d + (yy + 1) * rl + 1, w);
  }

  // out[plane] (+)= the first h rows and w columns of tiles (rows of rl floats) at src
  private static void copyOut(boolean vector, float[] tiles, int src, int rl, MemorySegment out, long plane, int h, int w, boolean add) {
    if (vector) {
      VectorKernels.copyRowsOut(tiles, src, rl, h, w, out, plane, w, add);
    } else {
      for (int yy = 0; yy < h; yy++) Sgemm.addRun(false, tiles, src + yy * rl, out, plane + (long) yy * w, w, add);
    }
  }

  /** Floats per row of a padded plane: two per tile, plus the two-column halo and vector slack. */
  static int rowLength(int tw) {
    return 2 * tw + 2 + 32;
  }

  /**
   * V[xi][t] (at v + at + xi*xiStride + t) = (B^T d B)[xi] for every tile t &lt; count, whose 4x4
   * window d has its top-left corner at pad[off[t]] (rows rl floats apart). B^T = [[1,0,-1,0],
   * [0,1,1,0],[0,-1,1,0],[0,1,0,-1]].
   */
  static void inputTransform(boolean vector, float[] pad, int rl, int count, int[] off, MemorySegment v, long at, long xiStride) {
    if (vector) {
      VectorKernels.winogradInput(pad, rl, count, off, v, at, xiStride);
      return;
    }
    float[] d = new float[16], t = new float[16];
    for (int tile = 0; tile < count; tile++) {
      for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) d[4 * i + j] = pad[off[tile] + i * rl + j];
      inputTile(d, t);
      for (int xi = 0; xi < XI; xi++) v.setAtIndex(F, at + xi * xiStride + tile, t[xi]);
    }
  }

  /** t = B^T d B for one 4x4 tile, row-major (the scalar path; the vector path does the same adds). */
  static void inputTile(float[] d, float[] t) {
    float[] r = new float[16]; // B^T d: rows
    for (int j = 0; j < 4; j++) {
      float d0 = d[j], d1 = d[4 + j], d2 = d[8 + j], d3 = d[12 + j];
      r[j] = d0 - d2;
      r[4 + j] = d1 + d2;
      r[8 + j] = d2 - d1;
      r[12 + j] = d1 - d3;
    }
    for (int i = 0; i < 4; i++) {
      float a = r[4 * i], b = r[4 * i + 1], c = r[4 * i + 2], e = r[4 * i + 3];
      t[4 * i] = a - c;
      t[4 * i + 1] = b + c;
      t[4 * i + 2] = c - b;
      t[4 * i + 3] = b - e;
    }
  }

  /**
   * out[plane] (+)= the 2x2 tiles A^T M A, M[xi][t] at m + xi*xiStride + t, cut to (h, w). A^T =
   * [[1,1,1,0],[0,1,-1,-1]].
   */
  /**
   * The 2x2 tiles A^T M A of M[xi][t] (at m + at + xi*xiStride + t), t &lt; count, written to
   * tilesOut at the tiles' top-left pixels off[t] (rows of rl floats). A^T = [[1,1,1,0],
   * [0,1,-1,-1]].
   */
  static void outputTransform(boolean vector, MemorySegment m, long at, long xiStride, int count, int[] off, int rl, float[] tilesOut) {
    if (vector) {
      VectorKernels.winogradOutput(m, at, xiStride, count, off, rl, tilesOut);
      return;
    }
    float[] q = new float[16], y = new float[4];
    for (int tile = 0; tile < count; tile++) {
      for (int xi = 0; xi < XI; xi++) q[xi] = m.getAtIndex(F, at + xi * xiStride + tile);
      outputTile(q, y);
      tilesOut[off[tile]] = y[0];
      tilesOut[off[tile] + 1] = y[1];
      tilesOut[off[tile] + rl] = y[2];
      tilesOut[off[tile] + rl + 1] = y[3];
    }
  }

  /** y = A^T q A for one tile (2x2, row-major), the vector path's adds in the same order. */
  static void outputTile(float[] q, float[] y) {
    float[] s = new float[8]; // A^T q: 2x4
    for (int j = 0; j < 4; j++) {
      float q0 = q[j], q1 = q[4 + j], q2 = q[8 + j], q3 = q[12 + j];
      s[j] = q0 + q1 + q2;
      s[4 + j] = q1 - q2 - q3;
    }
    for (int i = 0; i < 2; i++) {
      float a = s[4 * i], b = s[4 * i + 1], c = s[4 * i + 2], e = s[4 * i + 3];
      y[2 * i] = a + b + c;
      y[2 * i + 1] = b - c - e;
    }
  }
}
