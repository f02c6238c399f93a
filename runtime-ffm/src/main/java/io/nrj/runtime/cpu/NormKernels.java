package io.nrj.runtime.cpu;

import static io.nrj.runtime.cpu.CpuBackend.F;

import java.lang.foreign.MemorySegment;

/**
 * Batch normalisation over (n, c, hw), as PyTorch's BatchNorm2d: biased variance to normalise,
 * unbiased variance into the running estimate. Work is split by channel, and each channel's sums
 * run in one thread in a fixed order (per-plane partial sums added in double), so results do not
 * depend on the thread count at all. The per-plane loops are small methods so that C2 inlines the
 * segment accesses and vectorises them.
 */
final class NormKernels {
  private NormKernels() {}

  // x, y (n, c, hw); gamma, beta, runMean, runVar, saveMean, saveInvStd (c)
  static void forwardTrain(
      CpuThreads pool, boolean vector, MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment runMean,
      MemorySegment runVar, MemorySegment y, MemorySegment saveMean, MemorySegment saveInvStd,
      int n, int c, int hw, double eps, double momentum) {
    long m = (long) n * hw;
    pool.parallelFor(c, (t, c0, c1) -> {
      for (int ch = c0; ch < c1; ch++) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += sum(vector, x, ((long) i * c + ch) * hw, hw);
        double mean = sum / m;
        float meanF = (float) mean;
        double sq = 0;
        for (int i = 0; i < n; i++) sq += sumSqDev(vector, x, ((long) i * c + ch) * hw, hw, meanF);
        // sq is about meanF; correct to the exact mean: sum (x-mean)^2 = sq - m*(mean-meanF)^2
        double dm = mean - meanF;
        sq = Math.max(0, sq - m * dm * dm);
        double var = sq / m;
        double invStd = 1.0 / Math.sqrt(var + eps);
        float scale = (float) (gamma.getAtIndex(F, ch) * invStd);
        float shift = (float) (beta.getAtIndex(F, ch) - mean * gamma.getAtIndex(F, ch) * invStd);
        for (int i = 0; i < n; i++) affine(vector, x, y, ((long) i * c + ch) * hw, hw, scale, shift);
        saveMean.setAtIndex(F, ch, meanF);
        saveInvStd.setAtIndex(F, ch, (float) invStd);
        double unbiased = m > 1 ? sq / (m - 1) : var;
        runMean.setAtIndex(F, ch, (float) ((1 - momentum) * runMean.getAtIndex(F, ch) + momentum * mean));
        runVar.setAtIndex(F, ch, (float) ((1 - momentum) * runVar.getAtIndex(F, ch) + momentum * unbiased));
      }
    });
  }

  /**
   * Train-mode BN and optional ReLU in two passes per channel: sums of (x - shift) and (x -
   * shift)^2 about the channel's first element (so the variance does not cancel when the mean is
   * large against the spread), then y = max(x*scale + shift', 0).
   */
  static void forwardTrainRelu(
      CpuThreads pool, boolean vector, MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment runMean,
      MemorySegment runVar, MemorySegment y, MemorySegment saveMean, MemorySegment saveInvStd,
      int n, int c, int hw, double eps, double momentum, boolean relu) {
    long m = (long) n * hw;
    pool.parallelFor(c, (t, c0, c1) -> {
      double[] sums = new double[2];
      for (int ch = c0; ch < c1; ch++) {
        float k = x.getAtIndex(F, (long) ch * hw);
        sums[0] = 0;
        sums[1] = 0;
        for (int i = 0; i < n; i++) shiftedSums(vector, x, ((long) i * c + ch) * hw, hw, k, sums);
        double d = sums[0] / m;
        double mean = k + d;
        double var = Math.max(0, sums[1] / m - d * d);
        double invStd = 1.0 / Math.sqrt(var + eps);
        float scale = (float) (gamma.getAtIndex(F, ch) * invStd);
        float shift = (float) (beta.getAtIndex(F, ch) - mean * gamma.getAtIndex(F, ch) * invStd);
        for (int i = 0; i < n; i++) affineRelu(vector, x, y, ((long) i * c + ch) * hw, hw, scale, shift, relu);
        saveMean.setAtIndex(F, ch, (float) mean);
        saveInvStd.setAtIndex(F, ch, (float) invStd);
        double unbiased = m > 1 ? var * m / (m - 1) : var;
        runMean.setAtIndex(F, ch, (float) ((1 - momentum) * runMean.getAtIndex(F, ch) + momentum * mean));
        runVar.setAtIndex(F, ch, (float) ((1 - momentum) * runVar.getAtIndex(F, ch) + momentum * unbiased));
      }
    });
  }

  /**
   * BN backward of the gradient dy masked by y &gt; 0 (when relu), in two passes per channel:
   * the sums of g and g*(x - mean), then dx = k*g + c0 + c1*(x - mean), overwriting dx.
   */
  static void reluBackward(
      CpuThreads pool, boolean vector, MemorySegment x, MemorySegment y, MemorySegment dy, MemorySegment gamma,
      MemorySegment saveMean, MemorySegment saveInvStd, MemorySegment dx, MemorySegment dgamma, MemorySegment dbeta,
      int n, int c, int hw, boolean relu) {
    long m = (long) n * hw;
    pool.parallelFor(c, (t, c0, c1) -> {
      double[] sums = new double[2];
      for (int ch = c0; ch < c1; ch++) {
        float mean = saveMean.getAtIndex(F, ch), invStd = saveInvStd.getAtIndex(F, ch);
        sums[0] = 0;
        sums[1] = 0;
        for (int i = 0; i < n; i++) maskedDySums(vector, x, y, dy, ((long) i * c + ch) * hw, hw, mean, relu, sums);
        double sdy = sums[0], sdyx = sums[1] * invStd; // sum g*xhat
        dbeta.setAtIndex(F, ch, (float) (dbeta.getAtIndex(F, ch) + sdy));
        dgamma.setAtIndex(F, ch, (float) (dgamma.getAtIndex(F, ch) + sdyx));
        double k = (double) gamma.getAtIndex(F, ch) * invStd;
        float kf = (float) k, c0f = (float) (-k * sdy / m), c1f = (float) (-k * invStd * sdyx / m);
        for (int i = 0; i < n; i++) maskedBnApply(vector, x, y, dy, dx, ((long) i * c + ch) * hw, hw, mean, kf, c0f, c1f, relu);
      }
    });
  }

  private static void shiftedSums(boolean vector, MemorySegment x, long off, int n, float k, double[] out) {
    if (vector) {
      VectorKernels.shiftedSums(x, off, n, k, out);
      return;
    }
    double a = 0, b = 0;
    for (long i = off; i < off + n; i++) {
      double d = x.getAtIndex(F, i) - k;
      a += d;
      b += d * d;
    }
    out[0] += a;
    out[1] += b;
  }

  private static void affineRelu(boolean vector, MemorySegment x, MemorySegment y, long off, int n, float scale, float shift, boolean relu) {
    if (vector) {
      VectorKernels.affineRelu(x, y, off, n, scale, shift, relu);
      return;
    }
    for (long i = off; i < off + n; i++) {
      float v = Math.fma(x.getAtIndex(F, i), scale, shift);
      y.setAtIndex(F, i, relu ? Math.max(v, 0f) : v);
    }
  }

  private static void maskedDySums(
      boolean vector, MemorySegment x, MemorySegment y, MemorySegment dy, long off, int n, float mean, boolean relu, double[] out) {
    if (vector) {
      VectorKernels.maskedDySums(x, y, dy, off, n, mean, relu, out);
      return;
    }
    double a = 0, b = 0;
    for (long i = off; i < off + n; i++) {
      float g = !relu || y.getAtIndex(F, i) > 0f ? dy.getAtIndex(F, i) : 0f;
      a += g;
      b += (double) (x.getAtIndex(F, i) - mean) * g;
    }
    out[0] += a;
    out[1] += b;
  }

  private static void maskedBnApply(
      boolean vector, MemorySegment x, MemorySegment y, MemorySegment dy, MemorySegment dx, long off, int n,
      float mean, float k, float c0, float c1, boolean relu) {
    if (vector) {
      VectorKernels.maskedBnApply(x, y, dy, dx, off, n, mean, k, c0, c1, relu);
      return;
    }
    for (long i = off; i < off + n; i++) {
      float g = !relu || y.getAtIndex(F, i) > 0f ? dy.getAtIndex(F, i) : 0f;
      dx.setAtIndex(F, i, Math.fma(x.getAtIndex(F, i) - mean, c1, Math.fma(g, k, c0)));
    }
  }

  // y = gamma * (x - runMean) / sqrt(runVar + eps) + beta
  static void forwardEval(
      CpuThreads pool, boolean vector, MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment runMean,
      MemorySegment runVar, MemorySegment y, int n, int c, int hw, double eps) {
    pool.parallelFor(c, (t, c0, c1) -> {
      for (int ch = c0; ch < c1; ch++) {
        double invStd = 1.0 / Math.sqrt(runVar.getAtIndex(F, ch) + eps);
        float scale = (float) (gamma.getAtIndex(F, ch) * invStd);
        float shift = (float) (beta.getAtIndex(F, ch) - runMean.getAtIndex(F, ch) * gamma.getAtIndex(F, ch) * invStd);
        for (int i = 0; i < n; i++) affine(vector, x, y, ((long) i * c + ch) * hw, hw, scale, shift);
      }
    });
  }

  // xhat = (x - mean) * invStd; dbeta += sum dy; dgamma += sum dy*xhat;
  // dx += gamma*invStd * (dy - sum(dy)/m - xhat * sum(dy*xhat)/m)
  static void backward(
      CpuThreads pool, boolean vector, MemorySegment x, MemorySegment dy, MemorySegment gamma, MemorySegment saveMean,
      MemorySegment saveInvStd, MemorySegment dx, MemorySegment dgamma, MemorySegment dbeta,
      int n, int c, int hw) {
    long m = (long) n * hw;
    pool.parallelFor(c, (t, c0, c1) -> {
      double[] sums = new double[2];
      for (int ch = c0; ch < c1; ch++) {
        float mean = saveMean.getAtIndex(F, ch), invStd = saveInvStd.getAtIndex(F, ch);
        sums[0] = 0;
        sums[1] = 0;
        for (int i = 0; i < n; i++) dySums(vector, x, dy, ((long) i * c + ch) * hw, hw, mean, sums);
        double sdy = sums[0], sdyx = sums[1] * invStd; // sum dy*xhat
        dbeta.setAtIndex(F, ch, (float) (dbeta.getAtIndex(F, ch) + sdy));
        dgamma.setAtIndex(F, ch, (float) (dgamma.getAtIndex(F, ch) + sdyx));
        // dx += k*dy + c0 + c1*(x - mean), with k = gamma*invStd, c0 = -k*sdy/m, c1 = -k*invStd*sdyx/m
        double k = (double) gamma.getAtIndex(F, ch) * invStd;
        float kf = (float) k, c0f = (float) (-k * sdy / m), c1f = (float) (-k * invStd * sdyx / m);
        for (int i = 0; i < n; i++) bnApply(vector, x, dy, dx, ((long) i * c + ch) * hw, hw, mean, kf, c0f, c1f);
      }
    });
  }

  // ---- one plane x[off, off+n) ----

  private static double sum(boolean vector, MemorySegment x, long off, int n) {
    if (vector) return VectorKernels.sum(x, off, n);
    double s = 0;
    for (long i = off; i < off + n; i++) s += x.getAtIndex(F, i);
    return s;
  }

  private static double sumSqDev(boolean vector, MemorySegment x, long off, int n, float mean) {
    if (vector) return VectorKernels.sumSqDev(x, off, n, mean);
    double s = 0;
    for (long i = off; i < off + n; i++) {
      double d = x.getAtIndex(F, i) - mean;
      s += d * d;
    }
    return s;
  }

  private static void affine(boolean vector, MemorySegment x, MemorySegment y, long off, int n, float scale, float shift) {
    if (vector) {
      VectorKernels.affine(x, y, off, n, scale, shift);
      return;
    }
    for (long i = off; i < off + n; i++) y.setAtIndex(F, i, Math.fma(x.getAtIndex(F, i), scale, shift));
  }

  private static void dySums(boolean vector, MemorySegment x, MemorySegment dy, long off, int n, float mean, double[] out) {
    if (vector) {
      VectorKernels.dySums(x, dy, off, n, mean, out);
      return;
    }
    double a = 0, b = 0;
    for (long i = off; i < off + n; i++) {
      float g = dy.getAtIndex(F, i);
      a += g;
      b += (double) (x.getAtIndex(F, i) - mean) * g;
    }
    out[0] += a;
    out[1] += b;
  }

  private static void bnApply(boolean vector, MemorySegment x, MemorySegment dy, MemorySegment dx, long off, int n,
      float mean, float k, float c0, float c1) {
    if (vector) {
      VectorKernels.bnApply(x, dy, dx, off, n, mean, k, c0, c1);
      return;
    }
    for (long i = off; i < off + n; i++) {
      float v = Math.fma(x.getAtIndex(F, i) - mean, c1, Math.fma(dy.getAtIndex(F, i), k, c0));
      dx.setAtIndex(F, i, dx.getAtIndex(F, i) + v);
    }
  }
}
