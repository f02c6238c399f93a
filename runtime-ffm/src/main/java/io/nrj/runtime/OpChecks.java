package io.nrj.runtime;

import java.util.Arrays;

/**
 * The argument checks of the {@link Backend} operations, shared by the backends so a misshapen
 * tensor fails with the same message on the CPU and on the GPU, and before any device work is
 * queued (on the GPU it would otherwise read or write past a buffer). Each throws
 * IllegalArgumentException naming the operand.
 */
public final class OpChecks {
  private OpChecks() {}

  /** {@code t} has exactly {@code numel} elements. */
  public static void need(Tensor t, long numel, String what) {
    if (t.numel() != numel) {
      throw new IllegalArgumentException(
          what + ": expected " + numel + " elements, tensor " + Arrays.toString(t.shape()) + " has " + t.numel());
    }
  }

  // need(t, numel, what + " of " + geometry), the message built only when it fails: these checks
  // run on every call of a training step, and the geometry's text costs more than the check
  private static void need(Tensor t, long numel, String what, Object geometry) {
    if (t.numel() != numel) need(t, numel, what + " of " + geometry);
  }

  /** x (n,c,h,w), w (k,c,r,s), y (n,k,outH,outW); the data gradient passes (dx, w, dy). */
  public static void conv(Tensor x, Tensor w, Tensor y, ConvGeom g) {
    if (g.outH() <= 0 || g.outW() <= 0 || g.stride() <= 0 || g.pad() < 0) {
      throw new IllegalArgumentException("conv geometry gives no output: " + g);
    }
    need(x, (long) g.n() * g.c() * g.h() * g.w(), "conv input (n,c,h,w)", g);
    need(w, (long) g.k() * g.c() * g.r() * g.s(), "conv weight (k,c,r,s)", g);
    need(y, (long) g.n() * g.k() * g.outH() * g.outW(), "conv output (n,k,outH,outW)", g);
  }

  /** Batch norm forward over (n, c, hw): x and y (n,c,hw), every per-channel tensor (c). */
  public static void batchNorm(Tensor x, Tensor y, int n, int c, int hw, Tensor... channels) {
    long m = (long) n * c * hw;
    need(x, m, "batch norm input");
    need(y, m, "batch norm output");
    for (Tensor t : channels) need(t, c, "batch norm (c) tensor");
  }

  /** Batch norm backward over (n, c, hw): x, dy and dx (n,c,hw), every per-channel tensor (c). */
  public static void batchNormBackward(Tensor x, Tensor dy, Tensor dx, int n, int c, int hw, Tensor... channels) {
    long m = (long) n * c * hw;
    need(x, m, "batch norm input");
    need(dy, m, "batch norm dy");
    need(dx, m, "batch norm dx");
    for (Tensor t : channels) need(t, c, "batch norm (c) tensor");
  }

  /** x (n,c,h,w) and y (n,c,outH,outW) of a pooling window geometry. */
  public static void pool(Tensor x, Tensor y, PoolGeom g) {
    if (g.outH() <= 0 || g.outW() <= 0 || g.stride() <= 0 || g.pad() < 0 || 2 * g.pad() > g.kernel()) {
      throw new IllegalArgumentException("pool geometry is invalid (pad must be at most kernel/2): " + g);
    }
    need(x, (long) g.n() * g.c() * g.h() * g.w(), "pool input (n,c,h,w)", g);
    need(y, (long) g.n() * g.c() * g.outH() * g.outW(), "pool output (n,c,outH,outW)", g);
  }

  /** The channel ranges and tensors of {@link Backend#copyChannels}. */
  public static void copyChannels(
      Tensor src, int srcChannels, int srcOffset, Tensor dst, int dstChannels, int dstOffset, int count, int n, int hw) {
    if (srcOffset < 0 || dstOffset < 0 || count < 0 || srcOffset + count > srcChannels || dstOffset + count > dstChannels) {
      throw new IllegalArgumentException(
          "copyChannels: channels [" + srcOffset + ", " + (srcOffset + count) + ") of " + srcChannels + " into ["
              + dstOffset + ", " + (dstOffset + count) + ") of " + dstChannels + " is out of range");
    }
    need(src, (long) n * srcChannels * hw, "copyChannels source (n,srcChannels,hw)");
    need(dst, (long) n * dstChannels * hw, "copyChannels destination (n,dstChannels,hw)");
  }

  /** x (n,c), w (k,c), y (n,k), b (k) or null. */
  public static void linear(Tensor x, Tensor w, Tensor b, Tensor y, int n, int c, int k) {
    need(x, (long) n * c, "linear input (n,c)");
    need(w, (long) k * c, "linear weight (k,c)");
    need(y, (long) n * k, "linear output (n,k)");
    if (b != null) need(b, k, "linear bias (k)");
  }

  /** x (n,c), w (k,c), dy (n,k), dx (n,c) or null, dw (k,c), db (k) or null. */
  public static void linearBackward(Tensor x, Tensor w, Tensor dy, Tensor dx, Tensor dw, Tensor db, int n, int c, int k) {
    need(x, (long) n * c, "linear input (n,c)");
    need(w, (long) k * c, "linear weight (k,c)");
    need(dy, (long) n * k, "linear dy (n,k)");
    if (dx != null) need(dx, (long) n * c, "linear dx (n,c)");
    need(dw, (long) k * c, "linear dw (k,c)");
    if (db != null) need(db, k, "linear db (k)");
  }

  /** logits and dlogits (n,k), and at least n labels, each in [0, k). */
  public static void crossEntropy(Tensor logits, Tensor dlogits, int[] labels, int n, int k) {
    need(logits, (long) n * k, "logits (n,k)");
    need(dlogits, (long) n * k, "dlogits (n,k)");
    labels(labels, n, k);
  }

  /**
   * The on-device loss's tensors: labels and row losses (n), logits and dlogits (n,k). The label
   * values are on the device; whoever uploads them checks them with {@link #labels}.
   */
  public static void crossEntropy(Tensor logits, Tensor labels, Tensor dlogits, Tensor rowLosses, int n, int k) {
    need(labels, n, "labels (n)");
    need(rowLosses, n, "row losses (n)");
    need(logits, (long) n * k, "logits (n,k)");
    need(dlogits, (long) n * k, "dlogits (n,k)");
  }

  /** At least n labels, each a class in [0, k). */
  public static void labels(int[] labels, int n, int k) {
    if (labels.length < n) {
      throw new IllegalArgumentException("softmaxCrossEntropy: " + labels.length + " labels for " + n + " rows");
    }
    for (int i = 0; i < n; i++) {
      if (labels[i] < 0 || labels[i] >= k) {
        throw new IllegalArgumentException("label " + labels[i] + " of row " + i + " is outside [0, " + k + ")");
      }
    }
  }

  /**
   * {@link Backend#gatherBlock}: every source element (rows[r], cols[q], :) lies in {@code src}
   * viewed as (?, srcCols, inner), and the block (rows.length, cols.length, inner) fits {@code dst}
   * viewed as (?, dstCols, inner).
   */
  public static void gatherBlock(Tensor src, int srcCols, Tensor dst, int dstCols, int inner, int[] rows, int[] cols) {
    if (srcCols <= 0 || dstCols <= 0 || inner <= 0 || cols.length > dstCols) {
      throw new IllegalArgumentException(
          "gatherBlock: " + cols.length + " columns into " + dstCols + " (srcCols " + srcCols + ", inner " + inner + ")");
    }
    long srcRows = src.numel() / ((long) srcCols * inner);
    for (int r : rows) {
      if (r < 0 || r >= srcRows) throw new IllegalArgumentException("gatherBlock: row " + r + " of " + srcRows);
    }
    for (int q : cols) {
      if (q < 0 || q >= srcCols) throw new IllegalArgumentException("gatherBlock: column " + q + " of " + srcCols);
    }
    if ((long) rows.length * dstCols * inner > dst.numel()) {
      throw new IllegalArgumentException(
          "gatherBlock: " + rows.length + " rows of " + dstCols + "x" + inner + " do not fit " + dst.numel() + " elements");
    }
  }
}
