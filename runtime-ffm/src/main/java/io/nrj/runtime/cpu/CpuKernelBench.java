package io.nrj.runtime.cpu;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.runtime.ConvGeom;
import io.nrj.runtime.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Kernel benchmark of the CPU backend ({@code nrj bench --kernels [FILE]}): every pass of every
 * convolution shape (a network's, or {@link #DEFAULT_SHAPES}) (forward, backward data, backward filter) with the algorithm the backend
 * chooses for it, and an SGEMM line, in GFLOP/s against the machine's <b>measured</b> peak: a loop
 * of independent 512-bit FMAs on one core and on every thread at once (the nominal clock times
 * units overstates it on CPUs that split 512-bit operations, and understates turbo clocks). Wall
 * clock, best of three batches after a warm-up. Whole training steps are timed by {@code nrj bench
 * FILE}, through the path training uses. Not a JMH harness: no forking or blackholes, which these
 * side-effecting kernels do not need.
 */
public final class CpuKernelBench {
  private CpuKernelBench() {}

  /** The default shapes: the CIFAR networks' typical layers and LeNet-5's, batch 64. */
  public static final List<ConvGeom> DEFAULT_SHAPES = List.of(
      new ConvGeom(64, 3, 32, 32, 16, 3, 3, 1, 1),
      new ConvGeom(64, 16, 32, 32, 16, 3, 3, 1, 1),
      new ConvGeom(64, 32, 16, 16, 32, 3, 3, 1, 1),
      new ConvGeom(64, 64, 8, 8, 64, 3, 3, 1, 1),
      new ConvGeom(64, 64, 32, 32, 16, 1, 1, 1, 0),
      new ConvGeom(64, 16, 32, 32, 64, 1, 1, 1, 0),
      new ConvGeom(64, 64, 32, 32, 64, 3, 3, 1, 1),
      new ConvGeom(64, 128, 16, 16, 128, 3, 3, 1, 1),
      new ConvGeom(64, 256, 8, 8, 256, 3, 3, 1, 1),
      new ConvGeom(64, 512, 4, 4, 512, 3, 3, 1, 1),
      new ConvGeom(64, 1, 28, 28, 20, 5, 5, 1, 0),
      new ConvGeom(64, 20, 12, 12, 50, 5, 5, 1, 0),
      new ConvGeom(64, 50, 4, 4, 500, 4, 4, 1, 0));

  /** The distinct convolution shapes of {@code ir} at its declared widths, batch {@code n}, in order. */
  public static List<ConvGeom> shapesOf(NetworkIr ir, int n) {
    java.util.LinkedHashSet<ConvGeom> shapes = new java.util.LinkedHashSet<>();
    for (IrNode node : ir.nodes()) {
      if (node instanceof IrNode.Conv c) {
        shapes.add(new ConvGeom(n, c.in().channels(), c.in().height(), c.in().width(), c.out().channels(),
            c.kernel(), c.kernel(), c.stride(), c.pad()));
      }
    }
    return List.copyOf(shapes);
  }

  /** Arguments: optional seconds per timed batch (default 0.3). */
  public static void main(String[] args) {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 0.3;
    run(System.out, seconds, DEFAULT_SHAPES);
  }

  /** Measures the peak, SGEMM and every pass of {@code shapes}; prints a Markdown table. */
  public static void run(PrintStream out, double seconds, List<ConvGeom> shapes) {
    try (CpuBackend b = new CpuBackend()) {
      double one = b.vectorized() ? fmaPeak(null, seconds) : 0;
      double all = b.vectorized() ? fmaPeak(b, seconds) : 0;
      out.printf(Locale.ROOT, "cpu backend: %d threads, %s kernels; measured FMA peak %.1f GFLOP/s on one core, %.1f on %d threads%n",
          b.threads(), b.vectorized() ? "Vector API (512-bit)" : "scalar", one, all, b.threads());
      out.println("load average before the run: " + loadAverage() + " (other processes slow wall-clock figures)");
      double sgemm = gemm(b, 1024, seconds);
      out.printf(Locale.ROOT, "sgemm 1024x1024x1024: %.1f GFLOP/s (%s of peak)%n", sgemm, percent(sgemm, all));
      out.println();
      out.println("| convolution (n, c->k, kernel, stride, input) | pass | algorithm | ms | GFLOP/s | of peak |");
      out.println("| --- | --- | --- | --- | --- | --- |");
      for (ConvGeom g : shapes) conv(out, b, g, seconds, all);
    }
  }

  /**
   * GFLOP/s of independent 512-bit FMAs, on this thread (backend null) or on every thread of the
   * backend at once.
   */
  static double fmaPeak(CpuBackend b, double seconds) {
    long iters = 2_000_000;
    Runnable loop = b == null
        ? () -> VectorKernels.fmaLoop(iters)
        : () -> b.pool().parallelFor(b.threads(), (tid, from, to) -> VectorKernels.fmaLoop(iters));
    double s = time(loop, seconds);
    int threads = b == null ? 1 : b.threads();
    return threads * (double) iters * VectorKernels.FMA_LOOP_FLOPS / s / 1e9;
  }

  static double gemm(CpuBackend b, int n, double seconds) {
    // a linear layer is exactly an SGEMM: y (n, n) = x (n, n) w^T
    Tensor x = random(b, 1, n, n), w = random(b, 2, n, n), y = b.allocate(n, n);
    double s = time(() -> b.linearForward(x, w, null, y, n, n, n), seconds);
    for (Tensor t : new Tensor[] {x, w, y}) t.close();
    return 2.0 * n * n * n / s / 1e9;
  }

  static void conv(PrintStream out, CpuBackend b, ConvGeom g, double seconds, double peak) {
    Tensor x = random(b, 1, g.n(), g.c(), g.h(), g.w()), w = random(b, 2, g.k(), g.c(), g.r(), g.s());
    Tensor y = b.allocate(g.n(), g.k(), g.outH(), g.outW()), dy = random(b, 3, y.shape());
    Tensor dx = b.allocate(x.shape()), dw = b.allocate(w.shape());
    String shape = String.format(Locale.ROOT, "%d, %d->%d, %dx%d, %d, %dx%d", g.n(), g.c(), g.k(), g.r(), g.s(), g.stride(), g.h(), g.w());
    for (ConvAlgo.Pass pass : ConvAlgo.Pass.values()) {
      Runnable r = switch (pass) {
        case FORWARD -> () -> b.convForward(x, w, y, g);
        case BACKWARD_DATA -> () -> b.convBackwardData(dy, w, dx, g);
        case BACKWARD_FILTER -> () -> b.convBackwardFilter(x, dy, dw, g);
      };
      double s = time(r, seconds), gflops = 2.0 * g.macs() / s / 1e9;
      out.printf(Locale.ROOT, "| %s | %s | %s | %.2f | %.1f | %s |%n", shape, pass.name().toLowerCase(Locale.ROOT).replace('_', ' '),
          b.convAlgorithm(g, pass).name().toLowerCase(Locale.ROOT), s * 1e3, gflops, percent(gflops, peak));
    }
    for (Tensor t : new Tensor[] {x, w, y, dy, dx, dw}) t.close();
  }

  private static String percent(double v, double peak) {
    return peak > 0 ? String.format(Locale.ROOT, "%.0f %%", 100 * v / peak) : "n/a";
  }

  static Tensor random(CpuBackend b, long seed, int... shape) {
    Tensor t = b.allocate(shape);
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[Math.toIntExact(t.numel())];
    for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() - 0.5);
    b.upload(t, v);
    return t;
  }

  /**
   * Seconds per call: a warm-up (half a second and three calls, so that C2 has compiled the
   * kernels), then the fastest of three batches of calls, each at least {@code seconds} long.
   */
  static double time(Runnable r, double seconds) {
    long t0 = System.nanoTime();
    int calls = 0;
    while (System.nanoTime() - t0 < Math.max(0.5, seconds) * 1e9 || calls < 3) {
      r.run();
      calls++;
    }
    double perCall = (System.nanoTime() - t0) / 1e9 / calls;
    int batch = Math.max(1, (int) Math.ceil(seconds / perCall));
    double best = Double.MAX_VALUE;
    for (int rep = 0; rep < 3; rep++) {
      long s = System.nanoTime();
      for (int i = 0; i < batch; i++) r.run();
      best = Math.min(best, (System.nanoTime() - s) / 1e9 / batch);
    }
    return best;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
