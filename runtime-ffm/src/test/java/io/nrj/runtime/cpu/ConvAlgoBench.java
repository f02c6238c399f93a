package io.nrj.runtime.cpu;

import io.nrj.runtime.ConvGeom;
import io.nrj.runtime.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/** Dev harness: single-thread CPU-time GFLOP/s of each conv algorithm on the networks' shapes. */
public final class ConvAlgoBench {
  public static void main(String[] args) {
    int threads = Integer.getInteger("threads", 1);
    String[] algos = System.getProperty("algos", "gemm,direct").split(",");
    int[][] shapes = {
      // n, c, h, w, k, r, pad
      {64, 3, 32, 32, 16, 3, 1}, {64, 16, 32, 32, 16, 3, 1}, {64, 16, 16, 16, 32, 3, 1}, {64, 32, 16, 16, 32, 3, 1},
      {64, 32, 8, 8, 64, 3, 1}, {64, 64, 8, 8, 64, 3, 1},
      {64, 64, 32, 32, 16, 1, 0}, {64, 16, 32, 32, 64, 1, 0}, {64, 128, 16, 16, 32, 1, 0}, {64, 32, 16, 16, 128, 1, 0},
      {64, 64, 32, 32, 64, 3, 1}, {64, 128, 16, 16, 128, 3, 1}, {64, 256, 8, 8, 256, 3, 1}, {64, 512, 4, 4, 512, 3, 1}, {64, 512, 2, 2, 512, 3, 1},
      {64, 1, 28, 28, 20, 5, 0}, {64, 20, 12, 12, 50, 5, 0},
    };
    if (System.getProperty("only") != null) {
      int i = Integer.getInteger("only");
      shapes = new int[][] {shapes[i]};
    }
    ThreadMXBean tb = ManagementFactory.getThreadMXBean();
    for (int[] sh : shapes) {
      ConvGeom g = new ConvGeom(sh[0], sh[1], sh[2], sh[3], sh[4], sh[5], sh[5], 1, sh[6]);
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-30s", "n" + sh[0] + " " + sh[1] + "->" + sh[4] + " k" + sh[5] + " @" + sh[2] + "x" + sh[3]));
      for (String algo : algos) {
        try (CpuBackend b = new CpuBackend(threads, true, algo)) {
          Tensor x = b.allocate(g.n(), g.c(), g.h(), g.w()), w = b.allocate(g.k(), g.c(), g.r(), g.s());
          Tensor y = b.allocate(g.n(), g.k(), g.outH(), g.outW()), dx = b.allocate(g.n(), g.c(), g.h(), g.w()), dw = b.allocate(g.k(), g.c(), g.r(), g.s());
          b.fill(x, 0.5f);
          b.fill(w, 0.01f);
          b.fill(y, 0.1f);
          double[] best = {0, 0, 0};
          long macs = g.macs();
          int reps = (int) Math.max(2, Math.min(50, 3e9 / macs));
          for (int round = 0; round < 4; round++) {
            for (int pass = 0; pass < 3; pass++) {
              long c0 = threads == 1 ? tb.getCurrentThreadCpuTime() : System.nanoTime();
              for (int i = 0; i < reps; i++) {
                switch (pass) {
                  case 0 -> b.convForward(x, w, y, g);
                  case 1 -> b.convBackwardData(y, w, dx, g);
                  default -> b.convBackwardFilter(x, y, dw, g);
                }
              }
              long c1 = threads == 1 ? tb.getCurrentThreadCpuTime() : System.nanoTime();
              best[pass] = Math.max(best[pass], 2.0 * macs * reps / (c1 - c0));
            }
          }
          line.append(String.format(Locale.ROOT, " | %-6s fwd %6.1f bd %6.1f bf %6.1f", algo, best[0], best[1], best[2]));
        } catch (RuntimeException e) {
          line.append(" | ").append(algo).append(" n/a");
        }
      }
      System.out.println(line);
    }
  }
}
