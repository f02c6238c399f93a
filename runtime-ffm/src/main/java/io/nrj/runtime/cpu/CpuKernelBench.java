package io.nrj.runtime.cpu;

import io.nrj.runtime.ConvGeom;
import io.nrj.runtime.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Kernel benchmark of the CPU backend (a main class, not a test): convolution forward, backward
 * data and backward filter GFLOP/s on VGG-like and LeNet shapes and an SGEMM line, against the
 * machine's nominal peak (cores x 2 FMA units x 16 lanes x 2 flops x the /proc/cpuinfo clock; turbo
 * clocks can exceed it). Wall-clock figures, best of five batches, with the process CPU time,
 * which shows how much of the wall time other processes took. Whole training steps are timed by
 * {@code nrj bench FILE}, through the path training uses. Run with {@code --add-modules
 * jdk.incubator.vector}; {@code -Dnrj.cpu.threads} and {@code -Dnrj.cpu.vector=false} select the
 * configuration. Not a JMH harness: no forking or blackholes, which these side-effecting kernels do
 * not need.
 */
public final class CpuKernelBench {
  private CpuKernelBench() {}

  /** Arguments: optional seconds per timed batch (default 0.3; five batches per figure). */
  public static void main(String[] args) {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 0.3;
    run(System.out, seconds);
  }

  /** Runs every measurement and prints one line each to {@code out}. */
  public static void run(PrintStream out, double seconds) {
    try (CpuBackend b = new CpuBackend()) {
      int cores = Runtime.getRuntime().availableProcessors();
      double ghz = clockGhz();
      out.printf("cpu backend: %d threads, %s kernels; %d cores at %.2f GHz: nominal peak %.1f GFLOP/s"
              + " (cores x 2 FMA x 16 lanes x 2 flops x clock)%n",
          b.threads(), b.vectorized() ? "Vector API (512-bit)" : "scalar", cores, ghz, cores * 2 * 16 * 2 * ghz);
      out.println("load average before the run: " + loadAverage() + " (other processes slow wall-clock figures)");
      gemm(out, b, 1024, seconds);
      List<ConvGeom> shapes = List.of(
          new ConvGeom(32, 64, 32, 32, 64, 3, 3, 1, 1),
          new ConvGeom(32, 128, 16, 16, 128, 3, 3, 1, 1),
          new ConvGeom(32, 256, 8, 8, 256, 3, 3, 1, 1),
          new ConvGeom(32, 512, 4, 4, 512, 3, 3, 1, 1),
          new ConvGeom(64, 1, 28, 28, 20, 5, 5, 1, 0),
          new ConvGeom(64, 20, 12, 12, 50, 5, 5, 1, 0));
      for (ConvGeom g : shapes) conv(out, b, g, seconds);
      // No "LeNet-5 training step" line: LenetStep is a hand-fused path training never runs, so its
      // img/s (about twice what nrj bench lenet5.nr measures) misled; nrj bench times real steps.
    }
  }

  static void gemm(PrintStream out, CpuBackend b, int n, double seconds) {
    // a linear layer is exactly an SGEMM: y (n, n) = x (n, n) w^T
    Tensor x = random(b, 1, n, n), w = random(b, 2, n, n), y = b.allocate(n, n);
    Timing t = time(() -> b.linearForward(x, w, null, y, n, n, n), seconds);
    out.printf("sgemm %dx%dx%d: %.1f GFLOP/s (%.2f ms; process CPU %.2f ms)%n",
        n, n, n, 2.0 * n * n * n / t.wall / 1e9, t.wall * 1e3, t.cpu * 1e3);
    x.close();
    w.close();
    y.close();
  }

  static void conv(PrintStream out, CpuBackend b, ConvGeom g, double seconds) {
    Tensor x = random(b, 1, g.n(), g.c(), g.h(), g.w()), w = random(b, 2, g.k(), g.c(), g.r(), g.s());
    Tensor y = b.allocate(g.n(), g.k(), g.outH(), g.outW()), dy = random(b, 3, y.shape());
    Tensor dx = b.allocate(x.shape()), dw = b.allocate(w.shape());
    double flops = 2.0 * g.macs();
    Timing f = time(() -> b.convForward(x, w, y, g), seconds);
    Timing d = time(() -> b.convBackwardData(dy, w, dx, g), seconds);
    Timing fl = time(() -> b.convBackwardFilter(x, dy, dw, g), seconds);
    double wall = f.wall + d.wall + fl.wall, cpu = f.cpu + d.cpu + fl.cpu;
    out.printf("conv n%d %d->%d %dx%d @%dx%d: fwd %.1f, bwd-data %.1f, bwd-filter %.1f, all three %.1f GFLOP/s"
            + " (%.2f ms; process CPU %.2f ms)%n",
        g.n(), g.c(), g.k(), g.r(), g.s(), g.h(), g.w(), flops / f.wall / 1e9, flops / d.wall / 1e9,
        flops / fl.wall / 1e9, 3 * flops / wall / 1e9, wall * 1e3, cpu * 1e3);
    for (Tensor t : new Tensor[] {x, w, y, dy, dx, dw}) t.close();
  }

  static Tensor random(CpuBackend b, long seed, int... shape) {
    Tensor t = b.allocate(shape);
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[Math.toIntExact(t.numel())];
    for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() - 0.5);
    b.upload(t, v);
    return t;
  }

  /** Seconds per call: wall clock, and the process's CPU time (all threads) over the same calls. */
  record Timing(double wall, double cpu) {}

  static Timing time(Runnable r, double seconds) {
    return time(r, seconds, 5);
  }

  /**
   * Warm-up (at least two seconds and {@code warmCalls} calls, so that C2 has compiled every kernel
   * even on a busy machine), then the fastest by wall clock of five batches of calls, each at least
   * {@code seconds} long.
   */
  static Timing time(Runnable r, double seconds, int warmCalls) {
    long t0 = System.nanoTime();
    int calls = 0;
    while (System.nanoTime() - t0 < Math.max(2.0, 2 * seconds) * 1e9 || calls < warmCalls) {
      r.run();
      calls++;
    }
    double perCall = (System.nanoTime() - t0) / 1e9 / calls;
    int batch = Math.max(1, (int) Math.ceil(seconds / perCall));
    Timing best = new Timing(Double.MAX_VALUE, 0);
    for (int rep = 0; rep < 5; rep++) {
      long c = cpuNanos(), s = System.nanoTime();
      for (int i = 0; i < batch; i++) r.run();
      double wall = (System.nanoTime() - s) / 1e9 / batch, cpu = (cpuNanos() - c) / 1e9 / batch;
      if (wall < best.wall) best = new Timing(wall, cpu);
    }
    return best;
  }

  private static long cpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** The clock from /proc/cpuinfo ("cpu MHz"), or 0 where it cannot be read. */
  static double clockGhz() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("cpu MHz")) return Double.parseDouble(line.substring(line.indexOf(':') + 1).trim()) / 1000;
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or an unusual format: report 0
    }
    return 0;
  }
}
