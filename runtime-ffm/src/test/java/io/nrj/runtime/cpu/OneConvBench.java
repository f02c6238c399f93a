package io.nrj.runtime.cpu;

import io.nrj.runtime.ConvGeom;
import io.nrj.runtime.Tensor;

/** Dev harness: one pass of one conv, repeated (for profiling). args: n c h k r pad pass algo secs */
public final class OneConvBench {
  public static void main(String[] a) {
    ConvGeom g = new ConvGeom(Integer.parseInt(a[0]), Integer.parseInt(a[1]), Integer.parseInt(a[2]), Integer.parseInt(a[2]),
        Integer.parseInt(a[3]), Integer.parseInt(a[4]), Integer.parseInt(a[4]), 1, Integer.parseInt(a[5]));
    int pass = Integer.parseInt(a[6]);
    try (CpuBackend b = new CpuBackend(Integer.getInteger("threads", 1), true, a[7])) {
      Tensor x = b.allocate(g.n(), g.c(), g.h(), g.w()), w = b.allocate(g.k(), g.c(), g.r(), g.s());
      Tensor y = b.allocate(g.n(), g.k(), g.outH(), g.outW()), dx = b.allocate(g.n(), g.c(), g.h(), g.w()), dw = b.allocate(g.k(), g.c(), g.r(), g.s());
      b.fill(x, 0.5f); b.fill(w, 0.01f); b.fill(y, 0.1f);
      Runnable call = () -> {
        switch (pass) {
          case 0 -> b.convForward(x, w, y, g);
          case 1 -> b.convBackwardData(y, w, dx, g);
          default -> b.convBackwardFilter(x, y, dw, g);
        }
      };
      long warm = System.nanoTime() + 2_000_000_000L;
      while (System.nanoTime() < warm) call.run();
      long end = System.nanoTime() + (long) (Double.parseDouble(a[8]) * 1e9), calls = 0, t0 = System.nanoTime();
      while (System.nanoTime() < end) {
        switch (pass) {
          case 0 -> b.convForward(x, w, y, g);
          case 1 -> b.convBackwardData(y, w, dx, g);
          default -> b.convBackwardFilter(x, y, dw, g);
        }
        calls++;
      }
      System.out.printf("%.1f GFLOP/s%n", 2.0 * g.macs() * calls / (System.nanoTime() - t0));
    }
  }
}
