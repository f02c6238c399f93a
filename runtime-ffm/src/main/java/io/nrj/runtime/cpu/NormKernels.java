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
   * Train-mode BN, an optional residual r (null for none) and optional ReLU in two passes per
   * channel: sums of (x - shift) and (x - shift)^2 about the channel's first element (so the
   * variance does not cancel when the mean is large against the spread), then y = max(x*scale +
   * shift' (+ r), 0).
   */
  static void forwardTrainRelu(
      CpuThreads pool, boolean vector, MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment runMean,
      MemorySegment runVar, MemorySegment r, MemorySegment y, MemorySegment saveMean, MemorySegment saveInvStd,
      MemorySegment affine, int n, int c, int hw, double eps, double momentum, boolean relu) {
    long m = (long) n * hw;
    if (hw < SHORT_PLANE) {
      forwardTrainReluShort(pool, x, gamma, beta, runMean, runVar, r, y, saveMean, saveInvStd, affine, n, c, hw, eps, momentum, relu);
      return;
    }
    int block = channelBlock(n, hw, 1);
    // each channel sums alone, so channels can go to whichever thread is free
    pool.parallelForDynamic(c, claimGrain(pool, c, block), (t, c0, c1) -> {
      double[] acc = new double[ACC * block];
      float[] shifts = new float[block], scales = new float[block], shiftsOut = new float[block];
      for (int b0 = c0; b0 < c1; b0 += block) {
        int cn = Math.min(block, c1 - b0);
        for (int j = 0; j < cn; j++) shifts[j] = x.getAtIndex(F, (long) (b0 + j) * hw);
        java.util.Arrays.fill(acc, 0, ACC * cn, 0);
        // image by image through the block's planes (longer runs in memory); each channel still
        // sums its images in order, so the bits are those of one channel at a time
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < cn; j++) shiftedLaneSums(vector, x, ((long) i * c + b0 + j) * hw, hw, shifts[j], acc, ACC * j);
        }
        for (int j = 0; j < cn; j++) {
          channelStats(b0 + j, j, laneTotal(acc, ACC * j), laneTotal(acc, ACC * j + LANES), shifts[j], m, eps, momentum, gamma,
              beta, runMean, runVar, saveMean, saveInvStd, scales, shiftsOut);
          saveAffine(affine, c, b0 + j, scales[j], shiftsOut[j]);
        }
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < cn; j++) affineRelu(vector, x, r, y, ((long) i * c + b0 + j) * hw, hw, scales[j], shiftsOut[j], relu);
        }
      }
    });
  }

  /** The forward's y = max(x*scale + shift, 0) coefficients of channel ch, scale at ch and shift at c + ch (when kept). */
  private static void saveAffine(MemorySegment affine, int c, int ch, float scale, float shift) {
    if (affine == null) return;
    affine.setAtIndex(F, ch, scale);
    affine.setAtIndex(F, (long) c + ch, shift);
  }

  /**
   * BN backward of the gradient dy masked by y &gt; 0 (when relu), in two passes per channel:
   * the sums of g and g*(x - mean), then dx = k*g + c0 + c1*(x - mean), overwriting dx. With the
   * forward's coefficients ({@code affine}, not null), the mask is recomputed as fma(x, scale,
   * shift) &gt; 0, the very value whose max with 0 the forward wrote to y: the same mask, the
   * same bits, without reading y (two tensors read per pass instead of three).
   */
  static void reluBackward(
      CpuThreads pool, boolean vector, MemorySegment x, MemorySegment y, MemorySegment dy, MemorySegment gamma,
      MemorySegment saveMean, MemorySegment saveInvStd, MemorySegment affine, MemorySegment dx, MemorySegment dgamma,
      MemorySegment dbeta, int n, int c, int hw, boolean relu) {
    long m = (long) n * hw;
    if (hw < SHORT_PLANE) {
      reluBackwardShort(pool, x, y, dy, gamma, saveMean, saveInvStd, dx, dgamma, dbeta, n, c, hw, relu);
      return;
    }
    boolean fromX = relu && affine != null;
    int block = channelBlock(n, hw, relu && !fromX ? 3 : 2);
    pool.parallelForDynamic(c, claimGrain(pool, c, block), (t, c0, c1) -> { // as forwardTrainRelu
      double[] acc = new double[ACC * block];
      float[] means = new float[block], ks = new float[block], k0s = new float[block], k1s = new float[block];
      float[] scales = new float[block], shifts = new float[block];
      for (int b0 = c0; b0 < c1; b0 += block) {
        int cn = Math.min(block, c1 - b0);
        for (int j = 0; j < cn; j++) means[j] = saveMean.getAtIndex(F, b0 + j);
        for (int j = 0; j < cn && fromX; j++) {
          scales[j] = affine.getAtIndex(F, b0 + j);
          shifts[j] = affine.getAtIndex(F, (long) c + b0 + j);
        }
        java.util.Arrays.fill(acc, 0, ACC * cn, 0);
        for (int i = 0; i < n; i++) { // image by image, each channel's images in order (see forward)
          for (int j = 0; j < cn; j++) {
            long off = ((long) i * c + b0 + j) * hw;
            if (fromX) affineMaskedDyLaneSums(vector, x, dy, off, hw, means[j], scales[j], shifts[j], acc, ACC * j);
            else maskedDyLaneSums(vector, x, y, dy, off, hw, means[j], relu, acc, ACC * j);
          }
        }
        for (int j = 0; j < cn; j++) {
          backwardCoefficients(b0 + j, j, laneTotal(acc, ACC * j), laneTotal(acc, ACC * j + LANES), m, gamma, saveInvStd, dgamma,
              dbeta, ks, k0s, k1s);
        }
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < cn; j++) {
            long off = ((long) i * c + b0 + j) * hw;
            if (fromX) affineMaskedBnApply(vector, x, dy, dx, off, hw, means[j], ks[j], k0s[j], k1s[j], scales[j], shifts[j]);
            else maskedBnApply(vector, x, y, dy, dx, off, hw, means[j], ks[j], k0s[j], k1s[j], relu);
          }
        }
      }
    });
  }

  /** Channels per claimed range: at most a block, and at least four ranges per thread where c allows. */
  static int claimGrain(CpuThreads pool, int c, int block) {
    return Math.max(1, Math.min(block, (c + 4 * pool.threads() - 1) / (4 * pool.threads())));
  }

  /**
   * Channels per block of the two-pass kernels: as many as keep the block's planes of {@code
   * arrays} tensors within 1 MiB (half the L2 of this machine kind), so the second pass reads them
   * from cache, and small planes (8x8: 256 bytes) are read in runs of many channels instead of one.
   */
  static int channelBlock(int n, int hw, int arrays) {
    return (int) Math.max(1, Math.min(256, (1L << 20) / ((long) arrays * n * hw * Float.BYTES)));
  }

  /**
   * Channel ch's statistics from its sums of d = x - shift and d^2 over m elements: saves the mean
   * and 1/sqrt(var + eps), updates the running statistics, and sets scale[j], shift[j] so that
   * bn(x) = x*scale + shift'.
   */
  private static void channelStats(
      int ch, int j, double sumD, double sumD2, float shiftK, long m, double eps, double momentum, MemorySegment gamma,
      MemorySegment beta, MemorySegment runMean, MemorySegment runVar, MemorySegment saveMean, MemorySegment saveInvStd,
      float[] scale, float[] shift) {
    double d = sumD / m, mean = shiftK + d, var = Math.max(0, sumD2 / m - d * d);
    double invStd = 1.0 / Math.sqrt(var + eps);
    scale[j] = (float) (gamma.getAtIndex(F, ch) * invStd);
    shift[j] = (float) (beta.getAtIndex(F, ch) - mean * gamma.getAtIndex(F, ch) * invStd);
    saveMean.setAtIndex(F, ch, (float) mean);
    saveInvStd.setAtIndex(F, ch, (float) invStd);
    double unbiased = m > 1 ? var * m / (m - 1) : var;
    runMean.setAtIndex(F, ch, (float) ((1 - momentum) * runMean.getAtIndex(F, ch) + momentum * mean));
    runVar.setAtIndex(F, ch, (float) ((1 - momentum) * runVar.getAtIndex(F, ch) + momentum * unbiased));
  }

  /**
   * Channel ch's backward from its sums of g and g*(x - mean): adds them into dbeta and dgamma and
   * sets k[j], k0[j], k1[j] so that dx = k*g + k0 + k1*(x - mean).
   */
  private static void backwardCoefficients(
      int ch, int j, double sumG, double sumGx, long m, MemorySegment gamma, MemorySegment saveInvStd,
      MemorySegment dgamma, MemorySegment dbeta, float[] k, float[] k0, float[] k1) {
    float invStd = saveInvStd.getAtIndex(F, ch);
    double sdy = sumG, sdyx = sumGx * invStd; // sum g*xhat
    dbeta.setAtIndex(F, ch, (float) (dbeta.getAtIndex(F, ch) + sdy));
    dgamma.setAtIndex(F, ch, (float) (dgamma.getAtIndex(F, ch) + sdyx));
    double kk = (double) gamma.getAtIndex(F, ch) * invStd;
    k[j] = (float) kk;
    k0[j] = (float) (-kk * sdy / m);
    k1[j] = (float) (-kk * invStd * sdyx / m);
  }

  /** Planes shorter than a vector (a 1x1 or 2x2 feature map) take the row-wise loops below. */
  static final int SHORT_PLANE = 16;

  /**
   * {@link #forwardTrainRelu} for short planes: the same sums in the same order (per channel,
   * images in order, in double), but each thread walks its channels' contiguous span of every image
   * instead of one tiny plane at a time.
   */
  private static void forwardTrainReluShort(
      CpuThreads pool, MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment runMean,
      MemorySegment runVar, MemorySegment r, MemorySegment y, MemorySegment saveMean, MemorySegment saveInvStd,
      MemorySegment affine, int n, int c, int hw, double eps, double momentum, boolean relu) {
    long m = (long) n * hw;
    pool.parallelFor(c, (t, c0, c1) -> {
      int cn = c1 - c0;
      double[] a = new double[cn], b = new double[cn];
      float[] k = new float[cn], scale = new float[cn], shift = new float[cn];
      for (int j = 0; j < cn; j++) k[j] = x.getAtIndex(F, (long) (c0 + j) * hw);
      for (int i = 0; i < n; i++) {
        long base = ((long) i * c + c0) * hw;
        for (int j = 0; j < cn; j++) {
          for (int u = 0; u < hw; u++) {
            double d = x.getAtIndex(F, base + (long) j * hw + u) - k[j];
            a[j] += d;
            b[j] += d * d;
          }
        }
      }
      for (int j = 0; j < cn; j++) {
        channelStats(c0 + j, j, a[j], b[j], k[j], m, eps, momentum, gamma, beta, runMean, runVar, saveMean, saveInvStd, scale, shift);
        saveAffine(affine, c, c0 + j, scale[j], shift[j]);
      }
      for (int i = 0; i < n; i++) {
        long base = ((long) i * c + c0) * hw;
        for (int j = 0; j < cn; j++) {
          for (int u = 0; u < hw; u++) {
            long e = base + (long) j * hw + u;
            float v = Math.fma(x.getAtIndex(F, e), scale[j], shift[j]);
            if (r != null) v += r.getAtIndex(F, e);
            y.setAtIndex(F, e, relu ? Math.max(v, 0f) : v);
          }
        }
      }
    });
  }

  /** {@link #reluBackward} for short planes, row-wise like {@link #forwardTrainReluShort}. */
  private static void reluBackwardShort(
      CpuThreads pool, MemorySegment x, MemorySegment y, MemorySegment dy, MemorySegment gamma,
      MemorySegment saveMean, MemorySegment saveInvStd, MemorySegment dx, MemorySegment dgamma, MemorySegment dbeta,
      int n, int c, int hw, boolean relu) {
    long m = (long) n * hw;
    pool.parallelFor(c, (t, c0, c1) -> {
      int cn = c1 - c0;
      double[] a = new double[cn], b = new double[cn];
      float[] mean = new float[cn], k = new float[cn], k0 = new float[cn], k1 = new float[cn];
      for (int j = 0; j < cn; j++) mean[j] = saveMean.getAtIndex(F, c0 + j);
      for (int i = 0; i < n; i++) {
        long base = ((long) i * c + c0) * hw;
        for (int j = 0; j < cn; j++) {
          for (int u = 0; u < hw; u++) {
            long e = base + (long) j * hw + u;
            float g = !relu || y.getAtIndex(F, e) > 0f ? dy.getAtIndex(F, e) : 0f;
            a[j] += g;
            b[j] += (double) (x.getAtIndex(F, e) - mean[j]) * g;
          }
        }
      }
      for (int j = 0; j < cn; j++) backwardCoefficients(c0 + j, j, a[j], b[j], m, gamma, saveInvStd, dgamma, dbeta, k, k0, k1);
      for (int i = 0; i < n; i++) {
        long base = ((long) i * c + c0) * hw;
        for (int j = 0; j < cn; j++) {
          for (int u = 0; u < hw; u++) {
            long e = base + (long) j * hw + u;
            float g = !relu || y.getAtIndex(F, e) > 0f ? dy.getAtIndex(F, e) : 0f;
            dx.setAtIndex(F, e, Math.fma(x.getAtIndex(F, e) - mean[j], k1[j], Math.fma(g, k[j], k0[j])));
          }
        }
      }
    });
  }

  /** Vector lanes of the per-channel partial sums, and doubles per channel (two sums of 16 lanes). */
  static final int LANES = 16, ACC = 2 * LANES;

  /** The sum of acc[o, o + 16) in lane order. */
  private static double laneTotal(double[] acc, int o) {
    double s = 0;
    for (int l = 0; l < LANES; l++) s += acc[o + l];
    return s;
  }

  // acc[o + l] += sum of d = x - k, acc[o + 16 + l] += sum of d*d (fma), over elements l, l + 16, ...
  // of the plane, each lane's sum in float, then added in double (VectorKernels.shiftedLaneSums)
  private static void shiftedLaneSums(boolean vector, MemorySegment x, long off, int n, float k, double[] acc, int o) {
    if (vector) {
      VectorKernels.shiftedLaneSums(x, off, n, k, acc, o);
      return;
    }
    for (int l = 0; l < LANES && l < n; l++) {
      float a = 0, b = 0;
      for (long i = off + l; i < off + n; i += LANES) {
        float d = x.getAtIndex(F, i) - k;
        a += d;
        b = Math.fma(d, d, b);
      }
      acc[o + l] += a;
      acc[o + LANES + l] += b;
    }
  }

  // y = x*scale + shift (+ r when r is not null), then max(., 0) when relu
  private static void affineRelu(
      boolean vector, MemorySegment x, MemorySegment r, MemorySegment y, long off, int n, float scale, float shift, boolean relu) {
    if (vector) {
      if (r == null) VectorKernels.affineRelu(x, y, off, n, scale, shift, relu);
      else VectorKernels.affineAddRelu(x, r, y, off, n, scale, shift, relu);
      return;
    }
    for (long i = off; i < off + n; i++) {
      float v = Math.fma(x.getAtIndex(F, i), scale, shift);
      if (r != null) v += r.getAtIndex(F, i);
      y.setAtIndex(F, i, relu ? Math.max(v, 0f) : v);
    }
  }

  // acc[o + l] += sum of g, acc[o + 16 + l] += sum of (x - mean)*g (fma), g = dy masked by y > 0
  // when relu, as shiftedLaneSums
  private static void maskedDyLaneSums(
      boolean vector, MemorySegment x, MemorySegment y, MemorySegment dy, long off, int n, float mean, boolean relu,
      double[] acc, int o) {
    if (vector) {
      VectorKernels.maskedDyLaneSums(x, y, dy, off, n, mean, relu, acc, o);
      return;
    }
    for (int l = 0; l < LANES && l < n; l++) {
      float a = 0, b = 0;
      for (long i = off + l; i < off + n; i += LANES) {
        float g = !relu || y.getAtIndex(F, i) > 0f ? dy.getAtIndex(F, i) : 0f;
        a += g;
        b = Math.fma(x.getAtIndex(F, i) - mean, g, b);
      }
      acc[o + l] += a;
      acc[o + LANES + l] += b;
    }
  }

  // maskedDyLaneSums with g = dy where fma(x, scale, shift) > 0 (the forward's y > 0), else 0
  private static void affineMaskedDyLaneSums(
      boolean vector, MemorySegment x, MemorySegment dy, long off, int n, float mean, float scale, float shift, double[] acc, int o) {
    if (vector) {
      VectorKernels.affineMaskedDyLaneSums(x, dy, off, n, mean, scale, shift, acc, o);
      return;
    }
    for (int l = 0; l < LANES && l < n; l++) {
      float a = 0, b = 0;
      for (long i = off + l; i < off + n; i += LANES) {
        float xv = x.getAtIndex(F, i), g = Math.fma(xv, scale, shift) > 0f ? dy.getAtIndex(F, i) : 0f;
        a += g;
        b = Math.fma(xv - mean, g, b);
      }
      acc[o + l] += a;
      acc[o + LANES + l] += b;
    }
  }

  // maskedBnApply with the mask from x (see affineMaskedDyLaneSums)
  private static void affineMaskedBnApply(
      boolean vector, MemorySegment x, MemorySegment dy, MemorySegment dx, long off, int n, float mean, float k, float c0,
      float c1, float scale, float shift) {
    if (vector) {
      VectorKernels.affineMaskedBnApply(x, dy, dx, off, n, mean, k, c0, c1, scale, shift);
      return;
    }
    for (long i = off; i < off + n; i++) {
      float xv = x.getAtIndex(F, i), g = Math.fma(xv, scale, shift) > 0f ? dy.getAtIndex(F, i) : 0f;
      dx.setAtIndex(F, i, Math.fma(xv - mean, c1, Math.fma(g, k, c0)));
    }
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
