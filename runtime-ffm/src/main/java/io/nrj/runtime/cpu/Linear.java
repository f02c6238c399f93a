package io.nrj.runtime.cpu;

import static io.nrj.runtime.cpu.CpuBackend.F;

import java.lang.foreign.MemorySegment;

/**
 * The fully connected classifier (three SGEMMs) and softmax cross-entropy; also convolutions whose
 * kernel covers the whole unpadded input (LeNet-5's conv3: one output pixel), which are the same
 * products with c = C*R*S.
 */
final class Linear {
  private Linear() {}

  /**
   * Products of at most this many multiply-adds (a small classifier: 64 images x 64 features x 10
   * classes) run as plain loops on one thread: the blocked, packed, two-thread SGEMM costs about
   * 0.2 ms of set-up there, 100 times the arithmetic.
   */
  static final long SMALL = 1 << 17;

  // x (n, c), w (k, c), b (k) -> y (n, k) = x w^T + b
  static void forward(CpuThreads pool, boolean vector, Sgemm.Work[] work, MemorySegment x, MemorySegment w, MemorySegment b,
      MemorySegment y, int n, int c, int k) {
    if ((long) n * c * k <= SMALL) {
      smallProduct(x, c, 1, w, 1, c, n, k, c, y, false);
    } else {
      Sgemm.parallel(pool, vector, work, n, k, c,
          Sgemm.stridedA(x, 0, c, 1), Sgemm.stridedB(w, 0, 1, c), Sgemm.rowMajorC(vector, y, 0, k, false));
    }
    if (b == null) return;
    for (int i = 0; i < n; i++) {
      for (int o = 0; o < k; o++) y.setAtIndex(F, (long) i * k + o, y.getAtIndex(F, (long) i * k + o) + b.getAtIndex(F, o));
    }
  }

  // dx (n, c) += dy (n, k) w (k, c); dw (k, c) += dy^T x; db (k) += column sums of dy
  static void backward(CpuThreads pool, boolean vector, Sgemm.Work[] work, MemorySegment x, MemorySegment w, MemorySegment dy,
      MemorySegment dx, MemorySegment dw, MemorySegment db, int n, int c, int k) {
    if (dx != null) backwardData(pool, vector, work, w, dy, dx, n, c, k);
    backwardWeights(pool, vector, work, x, dy, dw, n, c, k);
    if (db == null) return;
    float[] sum = new float[k];
    for (int i = 0; i < n; i++) {
      for (int o = 0; o < k; o++) sum[o] += dy.getAtIndex(F, (long) i * k + o);
    }
    for (int o = 0; o < k; o++) db.setAtIndex(F, o, db.getAtIndex(F, o) + sum[o]);
  }

  // dx (n, c) += dy (n, k) w (k, c)
  static void backwardData(CpuThreads pool, boolean vector, Sgemm.Work[] work, MemorySegment w, MemorySegment dy, MemorySegment dx, int n, int c, int k) {
    if ((long) n * c * k <= SMALL) {
      smallProduct(dy, k, 1, w, c, 1, n, c, k, dx, true);
      return;
    }
    Sgemm.parallel(pool, vector, work, n, c, k,
        Sgemm.stridedA(dy, 0, k, 1), Sgemm.stridedB(w, 0, c, 1), Sgemm.rowMajorC(vector, dx, 0, c, true));
  }

  // dw (k, c) += dy^T (k, n) x (n, c)
  static void backwardWeights(CpuThreads pool, boolean vector, Sgemm.Work[] work, MemorySegment x, MemorySegment dy, MemorySegment dw, int n, int c, int k) {
    if ((long) n * c * k <= SMALL) {
      smallProduct(dy, 1, k, x, c, 1, k, c, n, dw, true);
      return;
    }
    Sgemm.parallel(pool, vector, work, k, c, n,
        Sgemm.stridedA(dy, 0, 1, k), Sgemm.stridedB(x, 0, c, 1), Sgemm.rowMajorC(vector, dw, 0, c, true));
  }

  /**
   * out (rows, cols) (+)= a b for products of at most {@link #SMALL} multiply-adds, on one thread:
   * out[r, q] = sum over l &lt; depth of a[r*aRow + l*aCol] * b[l*bRow + q*bCol], one fma chain
   * from 0 in l order, then stored or added to out.
   */
  private static void smallProduct(
      MemorySegment a, int aRow, int aCol, MemorySegment b, int bRow, int bCol, int rows, int cols, int depth, MemorySegment out,
      boolean add) {
    float[] av = a.asSlice(0, 4L * rows * depth).toArray(F), bv = b.asSlice(0, 4L * depth * cols).toArray(F);
    float[] ov = add ? out.asSlice(0, 4L * rows * cols).toArray(F) : new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int q = 0; q < cols; q++) {
        float acc = 0f;
        for (int l = 0; l < depth; l++) acc = Math.fma(av[r * aRow + l * aCol], bv[l * bRow + q * bCol], acc);
        ov[r * cols + q] = add ? ov[r * cols + q] + acc : acc;
      }
    }
    MemorySegment.copy(ov, 0, out, F, 0, rows * cols);
  }

  // logits (n, k) -> mean loss; dlogits (n, k) = (softmax - onehot) / n, in double per row
  static double softmaxCrossEntropy(MemorySegment logits, int[] labels, MemorySegment dlogits, int n, int k) {
    return softmaxCrossEntropy(logits, labels, dlogits, null, n, k);
  }

  /** As above, also writing each row's loss (float) to {@code rowLosses} (n) when it is not null. */
  static double softmaxCrossEntropy(
      MemorySegment logits, int[] labels, MemorySegment dlogits, MemorySegment rowLosses, int n, int k) {
    double loss = 0;
    for (int i = 0; i < n; i++) {
      long b = (long) i * k;
      double max = Double.NEGATIVE_INFINITY;
      for (int o = 0; o < k; o++) max = Math.max(max, logits.getAtIndex(F, b + o));
      double sum = 0;
      for (int o = 0; o < k; o++) sum += Math.exp(logits.getAtIndex(F, b + o) - max);
      double logSum = Math.log(sum) + max;
      double row = logSum - logits.getAtIndex(F, b + labels[i]);
      loss += row;
      if (rowLosses != null) rowLosses.setAtIndex(F, i, (float) row);
      for (int o = 0; o < k; o++) {
        double p = Math.exp(logits.getAtIndex(F, b + o) - logSum);
        dlogits.setAtIndex(F, b + o, (float) ((p - (o == labels[i] ? 1 : 0)) / n));
      }
    }
    return loss / n;
  }
}
