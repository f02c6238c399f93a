package io.nrj.runtime.cpu;

import io.nrj.runtime.ConvGeom;
import io.nrj.runtime.Tensor;

/** Dev harness: one pass of one conv, repeated (for profiling). args: n c h k r pad pass algo secs */
public final class OneConvBench {
  public static void main(String[] a) {
    ConvGeom g = new ConvGeom(Integer.parseInt(a[0]), Integer.parseInt(a[1]), Integer.parseInt(a[2]), Integer.parseInt(a[2]),
        Integer.parseInt(a[3]), Integer.parseInt(a[4]), Integer.parseInt(a[4]), Integer.getInteger("stride", 1), Integer.parseInt(a[5]));
    int pass = Integer.parseInt(a[6]);
    try (CpuBackend b = new CpuBackend(Integer.getInteger("threads", 1), true, a[7])) {
      // -Drotate=R: R sets of tensors used in turn, so each call finds its data out of cache (as in a network)
      int rot = Integer.getInteger("rotate", 1);
      Tensor[] xs = new Tensor[rot], ys = new Tensor[rot], dxs = new Tensor[rot];
      for (int i = 0; i < rot; i++) {
        xs[i] = b.allocate(g.n(), g.c(), g.h(), g.w());
        ys[i] = b.allocate(g.n(), g.k(), g.outH(), g.outW());
        dxs[i] = b.allocate(g.n(), g.c(), g.h(), g.w());
        b.fill(xs[i], 0.5f); b.fill(ys[i], 0.1f);
        // -Dscale=S: x as ReLU outputs of N(0, 1) and y as N(0, S^2), the values of a network
        // (where S is a gradient's size) instead of constants
        String scale = System.getProperty("scale");
        if (scale != null) {
          java.util.Random rnd = new java.util.Random(i);
          float[] xv = new float[Math.toIntExact(xs[i].numel())], yv = new float[Math.toIntExact(ys[i].numel())];
          for (int e = 0; e < xv.length; e++) xv[e] = (float) Math.max(0, rnd.nextGaussian());
          for (int e = 0; e < yv.length; e++) yv[e] = (float) (rnd.nextGaussian() * Double.parseDouble(scale));
          b.upload(xs[i], xv);
          b.upload(ys[i], yv);
        }
      }
      Tensor w = b.allocate(g.k(), g.c(), g.r(), g.s()), dw = b.allocate(g.k(), g.c(), g.r(), g.s());
      b.fill(w, 0.01f);
      int[] turn = {0};
      Runnable call = () -> {
        int i = turn[0]++ % rot;
        Tensor x = xs[i], y = ys[i], dx = dxs[i];
        switch (pass) {
          case 0 -> b.convForward(x, w, y, g);
          case 1 -> b.convBackwardData(y, w, dx, g);
          default -> b.convBackwardFilter(x, y, dw, g);
        }
      };
      // -Dpollute=true: the warm-up also runs the three passes of four other shapes, as a network does
      if (Boolean.getBoolean("pollute")) {
        for (ConvGeom o : new ConvGeom[] {new ConvGeom(64, 64, 8, 8, 64, 3, 3, 1, 1), new ConvGeom(64, 16, 32, 32, 16, 3, 3, 1, 1), new ConvGeom(64, 32, 16, 16, 32, 3, 3, 1, 1), new ConvGeom(64, 3, 32, 32, 16, 3, 3, 1, 1)}) {
          Tensor ox = b.allocate(o.n(), o.c(), o.h(), o.w()), oy = b.allocate(o.n(), o.k(), o.outH(), o.outW());
          Tensor ow = b.allocate(o.k(), o.c(), o.r(), o.s()), odx = b.allocate(o.n(), o.c(), o.h(), o.w());
          for (int i = 0; i < 30; i++) {
            b.convForward(ox, ow, oy, o);
            b.convBackwardData(oy, ow, odx, o);
            b.convBackwardFilter(ox, oy, ow, o);
          }
        }
      }
      long warm = System.nanoTime() + 2_000_000_000L;
      while (System.nanoTime() < warm) call.run();
      long end = System.nanoTime() + (long) (Double.parseDouble(a[8]) * 1e9), calls = 0, t0 = System.nanoTime();
      while (System.nanoTime() < end) {
        call.run();
        calls++;
      }
      System.out.printf("%.1f GFLOP/s%n", 2.0 * g.macs() * calls / (System.nanoTime() - t0));
    }
  }
}
