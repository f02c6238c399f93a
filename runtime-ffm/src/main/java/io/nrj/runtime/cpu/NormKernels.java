package io.nrj.runtime.cpu;

import static io.nrj.runtime.cpu.CpuBackend.F;

import java.lang.foreign.MemorySegment;

/**
 * Batch normalisation over (n, c, hw), as PyTorch's BatchNorm2d: biased variance to normalise,
 * unbiased variance into the running estimate. Work is split by channel, and each channel's sums
 * run in one thread in a fixed order (accumulated in double), so results do not depend on the
 * thread count at all.
 */
final class NormKernels {
  private NormKernels() {}

  // x, y (n, c, hw); gamma, beta, runMean, runVar, saveMean, saveInvStd (c)
  static void forwardTrain(
      CpuThreads pool, MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment runMean,
      MemorySegment runVar, MemorySegment y, MemorySegment saveMean, MemorySegment saveInvStd,
      int n, int c, int hw, double eps, double momentum) {
    long m = (long) n * hw;
    pool.parallelFor(c, (t, c0, c1) -> {
      for (int ch = c0; ch < c1; ch++) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
          long base = ((long) i * c + ch) * hw;
          for (int j = 0; j < hw; j++) sum += x.getAtIndex(F, base + j);
        }
        double mean = sum / m;
        double sq = 0;
        for (int i = 0; i < n; i++) {
          long base = ((long) i * c + ch) * hw;
          for (int j = 0; j < hw; j++) {
            double d = x.getAtIndex(F, base + j) - mean;
            sq += d * d;
          }
        }
        double var = sq / m;
        double invStd = 1.0 / Math.sqrt(var + eps);
        float scale = (float) (gamma.getAtIndex(F, ch) * invStd);
        float shift = (float) (beta.getAtIndex(F, ch) - mean * gamma.getAtIndex(F, ch) * invStd);
        for (int i = 0; i < n; i++) {
          long base = ((long) i * c + ch) * hw;
          for (int j = 0; j < hw; j++) y.setAtIndex(F, base + j, x.getAtIndex(F, base + j) * scale + shift);
        }
        saveMean.setAtIndex(F, ch, (float) mean);
        saveInvStd.setAtIndex(F, ch, (float) invStd);
        double unbiased = m > 1 ? sq / (m - 1) : var;
        runMean.setAtIndex(F, ch, (float) ((1 - momentum) * runMean.getAtIndex(F, ch) + momentum * mean));
        runVar.setAtIndex(F, ch, (float) ((1 - momentum) * runVar.getAtIndex(F, ch) + momentum * unbiased));
      }
    });
  }

  // y = gamma * (x - runMean) / sqrt(runVar + eps) + beta
  static void forwardEval(
      CpuThreads pool, MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment runMean,
      MemorySegment runVar, MemorySegment y, int n, int c, int hw, double eps) {
    pool.parallelFor(c, (t, c0, c1) -> {
      for (int ch = c0; ch < c1; ch++) {
        double invStd = 1.0 / Math.sqrt(runVar.getAtIndex(F, ch) + eps);
        float scale = (float) (gamma.getAtIndex(F, ch) * invStd);
        float shift = (float) (beta.getAtIndex(F, ch) - runMean.getAtIndex(F, ch) * gamma.getAtIndex(F, ch) * invStd);
        for (int i = 0; i < n; i++) {
          long base = ((long) i * c + ch) * hw;
          for (int j = 0; j < hw; j++) y.setAtIndex(F, base + j, x.getAtIndex(F, base + j) * scale + shift);
        }
      }
    });
  }

  // xhat = (x - mean) * invStd; dbeta += sum dy; dgamma += sum dy*xhat;
  // dx += gamma*invStd * (dy - sum(dy)/m - xhat * sum(dy*xhat)/m)
  static void backward(
      CpuThreads pool, MemorySegment x, MemorySegment dy, MemorySegment gamma, MemorySegment saveMean,
      MemorySegment saveInvStd, MemorySegment dx, MemorySegment dgamma, MemorySegment dbeta,
      int n, int c, int hw) {
    long m = (long) n * hw;
    pool.parallelFor(c, (t, c0, c1) -> {
      for (int ch = c0; ch < c1; ch++) {
        float mean = saveMean.getAtIndex(F, ch), invStd = saveInvStd.getAtIndex(F, ch);
        double sdy = 0, sdyx = 0;
        for (int i = 0; i < n; i++) {
          long base = ((long) i * c + ch) * hw;
          for (int j = 0; j < hw; j++) {
            float g = dy.getAtIndex(F, base + j);
            sdy += g;
            sdyx += g * ((x.getAtIndex(F, base + j) - mean) * invStd);
          }
        }
        dbeta.setAtIndex(F, ch, (float) (dbeta.getAtIndex(F, ch) + sdy));
        dgamma.setAtIndex(F, ch, (float) (dgamma.getAtIndex(F, ch) + sdyx));
        float k = gamma.getAtIndex(F, ch) * invStd;
        float a = (float) (sdy / m), b = (float) (sdyx / m);
        for (int i = 0; i < n; i++) {
          long base = ((long) i * c + ch) * hw;
          for (int j = 0; j < hw; j++) {
            float xhat = (x.getAtIndex(F, base + j) - mean) * invStd;
            dx.setAtIndex(F, base + j, dx.getAtIndex(F, base + j) + k * (dy.getAtIndex(F, base + j) - a - xhat * b));
          }
        }
      }
    });
  }
}
