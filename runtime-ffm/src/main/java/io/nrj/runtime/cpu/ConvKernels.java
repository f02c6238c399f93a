package io.nrj.runtime.cpu;

import static io.nrj.runtime.cpu.CpuBackend.F;
import static io.nrj.runtime.cpu.Sgemm.NR;

import io.nrj.runtime.ConvGeom;
import java.lang.foreign.MemorySegment;

/**
 * 2-D convolution as implicit GEMM on {@link Sgemm}: im2col columns are packed straight into the
 * GEMM's B panels, never materialised as a whole matrix.
 *
 * <ul>
 *   <li>forward: Y[k, (n,pix)] = W[k, crs] * col[crs, (n,pix)], split over output columns;
 *   <li>backward data: per image chunk, dcol[crs, (n,pix)] = W^T * dY, then col2im adds it into
 *       dx; split over images (each image's dx is written by one thread);
 *   <li>backward filter: dW[k, crs] += dY[k, (n,pix)] * col^T, split over dW tiles, each summing
 *       the whole batch in order.
 * </ul>
 *
 * None of the splits changes any element's summation order, so the results do not depend on the
 * thread count.
 */
final class ConvKernels {
  private ConvKernels() {}

  /** Columns of dcol per backward-data chunk: enough for full B panels, small enough for L2. */
  static final int CHUNK_COLS = 512;

  // x (n, c, h, w), w (k, c, r, s) -> y (n, k, oh, ow)
  // x arrives as a heap copy xm: packing reads it in short runs, which arrays serve fastest
  static void forward(CpuThreads pool, boolean vector, Sgemm.Work[] work, float[] xm, MemorySegment w, MemorySegment y, ConvGeom g) {
    int crs = g.c() * g.r() * g.s(), p = g.outH() * g.outW();
    Sgemm.parallel(pool, vector, work, g.k(), g.n() * p, crs,
        Sgemm.stridedA(w, 0, crs, 1), im2col(xm, g), Sgemm.imageBlockedC(vector, y, 0, g.k(), p, false));
  }

  // dx (n, c, h, w) += col2im(W^T (crs, k) * dY (k, (n,pix)))
  static void backwardData(
      CpuThreads pool, boolean vector, Sgemm.Work[] work, MemorySegment dy, MemorySegment w, MemorySegment dx, ConvGeom g, boolean accumulate) {
    int crs = g.c() * g.r() * g.s(), p = g.outH() * g.outW(), k = g.k();
    int chunk = Math.max(1, CHUNK_COLS / p); // images per GEMM
    Sgemm.PackA wt = Sgemm.stridedA(w, 0, 1, crs);
    pool.parallelFor(g.n(), (tid, n0, n1) -> {
      Sgemm.Work wk = work[tid];
      for (int i = n0; i < n1; i += chunk) {
        int nb = Math.min(chunk, n1 - i), cols = nb * p;
        float[] col = wk.col(crs * cols);
        Sgemm.run(vector, wk, 0, crs, 0, cols, k, wt,
            Sgemm.imageBlockedB(dy, (long) i * k * p, k, p), Sgemm.arrayC(col, cols));
        // col2im into a heap copy of the chunk's dx images, then back
        int img = g.c() * g.h() * g.w();
        float[] dxh = wk.heap(nb * img);
        if (accumulate) MemorySegment.copy(dx, F, (long) i * img * Float.BYTES, dxh, 0, nb * img);
        else java.util.Arrays.fill(dxh, 0, nb * img, 0f);
        col2im(col, cols, dxh, nb, g);
        MemorySegment.copy(dxh, 0, dx, F, (long) i * img * Float.BYTES, nb * img);
      }
    });
  }

  /** Weight gradients up to this many floats are summed by image chunks (see backwardFilter). */
  static final int SMALL_DW = 1 << 14;

  /** Image chunks of the chunked weight gradient: fixed, so the sum order is too. */
  static final int DW_CHUNKS = 16;

  // dw (k, c, r, s) += dY (k, (n,pix)) * col^T ((n,pix), crs)
  static void backwardFilter(CpuThreads pool, boolean vector, Sgemm.Work[] work, float[] xm, MemorySegment dy, MemorySegment dw, ConvGeom g) {
    int crs = g.c() * g.r() * g.s(), p = g.outH() * g.outW(), k = g.k();
    if ((long) k * crs > SMALL_DW || g.n() < 2) {
      Sgemm.parallel(pool, vector, work, k, crs, g.n() * p,
          Sgemm.imageBlockedA(dy, 0, k, p), im2colT(xm, g, 0), Sgemm.rowMajorC(vector, dw, 0, crs, true));
      return;
    }
    // A small dW (a first layer: few channels) has too few tiles to share out, and splitting its
    // tiles would make every thread pack all of im2col. Instead each of a fixed number of image
    // chunks gets its own partial dW, and the partials are added in chunk order: the result does not
    // depend on the thread count.
    int chunks = Math.min(g.n(), DW_CHUNKS), size = k * crs;
    float[] partial = new float[chunks * size];
    pool.parallelFor(chunks, (tid, c0, c1) -> {
      for (int ch = c0; ch < c1; ch++) {
        int i0 = (int) ((long) ch * g.n() / chunks), i1 = (int) ((long) (ch + 1) * g.n() / chunks);
        float[] out = new float[size];
        Sgemm.run(vector, work[tid], 0, k, 0, crs, (i1 - i0) * p,
            Sgemm.imageBlockedA(dy, (long) i0 * k * p, k, p), im2colT(xm, g, i0), Sgemm.arrayC(out, crs));
        System.arraycopy(out, 0, partial, ch * size, size);
      }
    });
    for (int e = 0; e < size; e++) {
      float sum = partial[e];
      for (int ch = 1; ch < chunks; ch++) sum += partial[ch * size + e];
      dw.setAtIndex(F, e, dw.getAtIndex(F, e) + sum);
    }
  }

  /**
   * B(q, j) = x[n, c, oh*st-pad+r, ow*st-pad+s] for row q = (c, r, s), column j = (n, oh, ow); 0 in
   * the padding. The columns of a block are cut once into runs along one output row (same image
   * and oh, consecutive ow, never crossing a panel), so each packed row is a few strided copies.
   */
  static Sgemm.PackB im2col(float[] x, ConvGeom g) {
    int c = g.c(), h = g.h(), w = g.w(), r = g.r(), s = g.s(), st = g.stride(), pad = g.pad();
    int ow = g.outW(), p = g.outH() * ow;
    return (dst, q0, kc, j0, nc) -> {
      // runs: packed offset (row q = 0), length, image base, top-left input corner
      int maxRuns = nc / Math.min(ow, NR) + nc / NR + 2;
      int[] rd = new int[maxRuns], rlen = new int[maxRuns], rh = new int[maxRuns], rw = new int[maxRuns];
      long[] rbase = new long[maxRuns];
      int runs = 0;
      for (int j = 0; j < nc; ) {
        int jj = j0 + j, img = jj / p, pix = jj - img * p, y0 = pix / ow, x0 = pix - y0 * ow;
        int len = Math.min(ow - x0, Math.min(nc - j, NR - j % NR));
        rd[runs] = (j / NR) * kc * NR + j % NR;
        rlen[runs] = len;
        rh[runs] = y0 * st - pad;
        rw[runs] = x0 * st - pad;
        rbase[runs] = (long) img * c * h * w + (long) rh[runs] * w + rw[runs];
        runs++;
        j += len;
      }
      for (int q = 0; q < kc; q++) {
        int row = q0 + q, ci = row / (r * s), rr = (row / s) % r, ss = row % s;
        long tap = (long) ci * h * w + (long) rr * w + ss;
        for (int u = 0; u < runs; u++) {
          int len = rlen[u], d = rd[u] + q * NR;
          int hi = rh[u] + rr, wi = rw[u] + ss;
          // valid t: 0 <= hi < h and 0 <= wi + t*st < w; the rest is padding (0)
          int t0 = 0, t1 = 0;
          if (hi >= 0 && hi < h) {
            t0 = wi >= 0 ? 0 : Math.min(len, (-wi + st - 1) / st);
            t1 = Math.max(t0, Math.min(len, (w - wi + st - 1) / st));
          }
          long src = rbase[u] + tap;
          for (int t = 0; t < t0; t++) dst[d + t] = 0f;
          if (st == 1) {
            if (t1 > t0) System.arraycopy(x, (int) src + t0, dst, d + t0, t1 - t0);
          } else {
            for (int t = t0; t < t1; t++) dst[d + t] = x[(int) src + t * st];
          }
          for (int t = t1; t < len; t++) dst[d + t] = 0f;
        }
      }
      // zero the tail of a partial last panel
      int cols = nc % NR;
      if (cols != 0) {
        int base = (nc / NR) * kc * NR;
        for (int q = 0; q < kc; q++) java.util.Arrays.fill(dst, base + q * NR + cols, base + q * NR + NR, 0f);
      }
    };
  }

  /**
   * B(q, j) = col(j, q): row q = (n, oh, ow) is the reduction index (n counted from image img0),
   * column j = (c, r, s).
   */
  static Sgemm.PackB im2colT(float[] x, ConvGeom g, int img0) {
    int c = g.c(), h = g.h(), w = g.w(), r = g.r(), s = g.s(), st = g.stride(), pad = g.pad();
    int oh = g.outH(), ow = g.outW(), p = oh * ow;
    return (dst, q0, kc, j0, nc) -> {
      int[] colOff = new int[nc];
      int[] rr = new int[nc], ss = new int[nc];
      for (int j = 0; j < nc; j++) {
        int jj = j0 + j, ci = jj / (r * s);
        rr[j] = (jj / s) % r;
        ss[j] = jj % s;
        colOff[j] = ci * h * w + rr[j] * w + ss[j];
      }
      for (int q = 0; q < kc; q++) {
        int qq = q0 + q, img = qq / p, pix = qq - img * p, y0 = pix / ow, x0 = pix - y0 * ow;
        int hb = y0 * st - pad, wb = x0 * st - pad;
        int base = (img0 + img) * c * h * w + hb * w + wb;
        boolean inside = hb >= 0 && hb + r <= h && wb >= 0 && wb + s <= w;
        for (int jp = 0; jp < nc; jp += NR) {
          int d = jp * kc + q * NR, cols = Math.min(NR, nc - jp);
          if (inside) {
            gather(x, base, colOff, jp, dst, d, cols);
          } else {
            for (int j = 0; j < cols; j++) {
              int hi = hb + rr[jp + j], wi = wb + ss[jp + j];
              dst[d + j] = (hi >= 0 && hi < h && wi >= 0 && wi < w) ? x[base + colOff[jp + j]] : 0f;
            }
          }
          for (int j = cols; j < NR; j++) dst[d + j] = 0f;
        }
      }
    };
  }

  // dst[d+j] = x[base + off[o+j]] for j < n
  private static void gather(float[] x, int base, int[] off, int o, float[] dst, int d, int n) {
    for (int j = 0; j < n; j++) dst[d + j] = x[base + off[o + j]];
  }

  // dx[b, c, oh*st-pad+r, ow*st-pad+s] += col[(c,r,s), (b,oh,ow)] for b < nb; col rows have length ldc
  static void col2im(float[] col, int ldc, float[] dx, int nb, ConvGeom g) {
    int c = g.c(), h = g.h(), w = g.w(), r = g.r(), s = g.s(), st = g.stride(), pad = g.pad();
    int oh = g.outH(), ow = g.outW(), p = oh * ow;
    for (int ci = 0; ci < c; ci++) {
      for (int rr = 0; rr < r; rr++) {
        for (int ss = 0; ss < s; ss++) {
          int row = (ci * r + rr) * s + ss;
          // output columns whose tap (rr, ss) lands inside the image: ow*st - pad + ss in [0, w)
          int x0 = Math.max(0, ceilDiv(pad - ss, st)), x1 = Math.min(ow, ceilDiv(w + pad - ss, st));
          for (int b = 0; b < nb; b++) {
            int plane = (b * c + ci) * h * w;
            int cb = row * ldc + b * p;
            for (int y = 0; y < oh; y++) {
              int hi = y * st - pad + rr;
              if (hi < 0 || hi >= h) continue;
              int dst = plane + hi * w + x0 * st - pad + ss, src = cb + y * ow;
              if (st == 1) {
                addRun(col, src + x0, dx, dst, x1 - x0);
              } else {
                for (int xo = x0; xo < x1; xo++, dst += st) dx[dst] += col[src + xo];
              }
            }
          }
        }
      }
    }
  }

  // dst[d, d+n) += src[s, s+n)
  private static void addRun(float[] src, int s, float[] dst, int d, int n) {
    for (int t = 0; t < n; t++) dst[d + t] += src[s + t];
  }

  private static int ceilDiv(int a, int b) {
    return Math.floorDiv(a + b - 1, b);
  }
}
