package io.nrj.runtime.cpu;

import static io.nrj.runtime.cpu.CpuBackend.F;

import java.lang.foreign.MemorySegment;

/** The fully connected classifier and softmax cross-entropy. */
final class Linear {
  private Linear() {}

  // x (n, c), w (k, c), b (k) -> y (n, k) = x w^T + b
  static void forward(CpuThreads pool, boolean vector, MemorySegment x, MemorySegment w, MemorySegment b,
      MemorySegment y, int n, int c, int k) {
    pool.parallelFor(n, (t, i0, i1) -> {
      for (int i = i0; i < i1; i++) {
        for (int o = 0; o < k; o++) {
          float s = b == null ? 0f : b.getAtIndex(F, o);
          for (int j = 0; j < c; j++) s += x.getAtIndex(F, (long) i * c + j) * w.getAtIndex(F, (long) o * c + j);
          y.setAtIndex(F, (long) i * k + o, s);
        }
      }
    });
  }

  // dx (n, c) += dy w; dw (k, c) += dy^T x; db (k) += column sums of dy
  static void backward(CpuThreads pool, boolean vector, MemorySegment x, MemorySegment w, MemorySegment dy,
      MemorySegment dx, MemorySegment dw, MemorySegment db, int n, int c, int k) {
    if (dx != null) {
      pool.parallelFor(n, (t, i0, i1) -> {
        for (int i = i0; i < i1; i++) {
          for (int j = 0; j < c; j++) {
            float s = 0;
            for (int o = 0; o < k; o++) s += dy.getAtIndex(F, (long) i * k + o) * w.getAtIndex(F, (long) o * c + j);
            dx.setAtIndex(F, (long) i * c + j, dx.getAtIndex(F, (long) i * c + j) + s);
          }
        }
      });
    }
    pool.parallelFor(k, (t, o0, o1) -> {
      for (int o = o0; o < o1; o++) {
        for (int j = 0; j < c; j++) {
          float s = 0;
          for (int i = 0; i < n; i++) s += dy.getAtIndex(F, (long) i * k + o) * x.getAtIndex(F, (long) i * c + j);
          dw.setAtIndex(F, (long) o * c + j, dw.getAtIndex(F, (long) o * c + j) + s);
        }
        if (db != null) {
          float s = 0;
          for (int i = 0; i < n; i++) s += dy.getAtIndex(F, (long) i * k + o);
          db.setAtIndex(F, o, db.getAtIndex(F, o) + s);
        }
      }
    });
  }

  // logits (n, k) -> mean loss; dlogits (n, k) = (softmax - onehot) / n, in double per row
  static double softmaxCrossEntropy(MemorySegment logits, int[] labels, MemorySegment dlogits, int n, int k) {
    double loss = 0;
    for (int i = 0; i < n; i++) {
      long b = (long) i * k;
      double max = Double.NEGATIVE_INFINITY;
      for (int o = 0; o < k; o++) max = Math.max(max, logits.getAtIndex(F, b + o));
      double sum = 0;
      for (int o = 0; o < k; o++) sum += Math.exp(logits.getAtIndex(F, b + o) - max);
      double logSum = Math.log(sum) + max;
      loss += logSum - logits.getAtIndex(F, b + labels[i]);
      for (int o = 0; o < k; o++) {
        double p = Math.exp(logits.getAtIndex(F, b + o) - logSum);
        dlogits.setAtIndex(F, b + o, (float) ((p - (o == labels[i] ? 1 : 0)) / n));
      }
    }
    return loss / n;
  }
}
