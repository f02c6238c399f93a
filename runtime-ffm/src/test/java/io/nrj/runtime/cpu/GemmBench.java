package io.nrj.runtime.cpu;

import io.nrj.runtime.Tensor;

/** Dev harness: SGEMM 1024^3 GFLOP/s, threads from -Dthreads. */
public final class GemmBench {
  public static void main(String[] a) {
    int n = 1024;
    try (CpuBackend b = new CpuBackend(Integer.getInteger("threads", 1), true)) {
      Tensor x = b.allocate(n, n), w = b.allocate(n, n), y = b.allocate(n, n);
      b.fill(x, 0.5f); b.fill(w, 0.25f);
      for (int rep = 0; rep < 8; rep++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < 5; i++) b.linearForward(x, w, null, y, n, n, n);
        System.out.printf("%.1f ", 5 * 2.0 * n * n * n / (System.nanoTime() - t0));
      }
      System.out.println();
    }
  }
}
