package io.nrj.runtime.cpu;

import io.nrj.runtime.ConvGeom;
import io.nrj.runtime.PoolGeom;
import io.nrj.runtime.Tensor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Kernel benchmark of the CPU backend (a main class, not a test): convolution forward, backward
 * data and backward filter GFLOP/s on VGG-like and LeNet shapes, an SGEMM line, and LeNet-5
 * training steps per second, against the machine's nominal peak (cores x 2 FMA units x 16 lanes x
 * 2 flops x clock). Run with {@code --add-modules jdk.incubator.vector}; {@code -Dnrj.cpu.threads}
 * and {@code -Dnrj.cpu.vector=false} select the configuration.
 */
public final class CpuKernelBench {
  private CpuKernelBench() {}

  /** Arguments: optional minimum seconds per measurement (default 1). */
  public static void main(String[] args) {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
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
      gemm(out, b, 1024, seconds);
      List<ConvGeom> shapes = List.of(
          new ConvGeom(32, 64, 32, 32, 64, 3, 3, 1, 1),
          new ConvGeom(32, 128, 16, 16, 128, 3, 3, 1, 1),
          new ConvGeom(32, 256, 8, 8, 256, 3, 3, 1, 1),
          new ConvGeom(32, 512, 4, 4, 512, 3, 3, 1, 1),
          new ConvGeom(64, 1, 28, 28, 20, 5, 5, 1, 0),
          new ConvGeom(64, 20, 12, 12, 50, 5, 5, 1, 0));
      for (ConvGeom g : shapes) conv(out, b, g, seconds);
      lenet(out, b, 64, seconds);
    }
  }

  static void gemm(PrintStream out, CpuBackend b, int n, double seconds) {
    // a linear layer is exactly an SGEMM: y (n, n) = x (n, n) w^T
    Tensor x = random(b, 1, n, n), w = random(b, 2, n, n), y = b.allocate(n, n);
    double s = time(() -> b.linearForward(x, w, null, y, n, n, n), seconds);
    out.printf("sgemm %dx%dx%d: %.1f GFLOP/s (%.2f ms)%n", n, n, n, 2.0 * n * n * n / s / 1e9, s * 1e3);
    x.close();
    w.close();
    y.close();
  }

  static void conv(PrintStream out, CpuBackend b, ConvGeom g, double seconds) {
    Tensor x = random(b, 1, g.n(), g.c(), g.h(), g.w()), w = random(b, 2, g.k(), g.c(), g.r(), g.s());
    Tensor y = b.allocate(g.n(), g.k(), g.outH(), g.outW()), dy = random(b, 3, y.shape());
    Tensor dx = b.allocate(x.shape()), dw = b.allocate(w.shape());
    double flops = 2.0 * g.macs();
    double f = time(() -> b.convForward(x, w, y, g), seconds);
    double d = time(() -> b.convBackwardData(dy, w, dx, g), seconds);
    double fl = time(() -> b.convBackwardFilter(x, dy, dw, g), seconds);
    out.printf("conv n%d %d->%d %dx%d @%dx%d: fwd %.1f, bwd-data %.1f, bwd-filter %.1f, all three %.1f GFLOP/s (%.2f ms)%n",
        g.n(), g.c(), g.k(), g.r(), g.s(), g.h(), g.w(), flops / f / 1e9, flops / d / 1e9, flops / fl / 1e9,
        3 * flops / (f + d + fl) / 1e9, (f + d + fl) * 1e3);
    for (Tensor t : new Tensor[] {x, w, y, dy, dx, dw}) t.close();
  }

  /**
   * One LeNet-5 training step as a trainer would run it: conv5x5 20 - BN - ReLU - maxpool - conv5x5
   * 50 - BN - ReLU - maxpool - linear 800->500 - ReLU - linear 500->10 - softmax CE, backward, SGD.
   */
  static void lenet(PrintStream out, CpuBackend b, int n, double seconds) {
    LenetStep step = new LenetStep(b, n);
    double s = time(step::run, seconds);
    out.printf("lenet-5 training step, batch %d: %.1f ms, %.0f img/s%n", n, s * 1e3, n / s);
    step.close();
  }

  static Tensor random(CpuBackend b, long seed, int... shape) {
    Tensor t = b.allocate(shape);
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[Math.toIntExact(t.numel())];
    for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() - 0.5);
    b.upload(t, v);
    return t;
  }

  /** Seconds per call: warm-up, then the best of several timed batches of calls. */
  static double time(Runnable r, double seconds) {
    long t0 = System.nanoTime();
    int calls = 0;
    while (System.nanoTime() - t0 < seconds * 0.5e9 || calls < 3) {
      r.run();
      calls++;
    }
    double perCall = (System.nanoTime() - t0) / 1e9 / calls;
    int batch = Math.max(1, (int) (seconds / 5 / perCall));
    double best = Double.MAX_VALUE;
    for (int rep = 0; rep < 5; rep++) {
      long s = System.nanoTime();
      for (int i = 0; i < batch; i++) r.run();
      best = Math.min(best, (System.nanoTime() - s) / 1e9 / batch);
    }
    return best;
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

  /** Buffers and the call sequence of one LeNet-5 step. */
  static final class LenetStep implements AutoCloseable {
    final CpuBackend b;
    final int n;
    final ConvGeom c1, c2;
    final PoolGeom p1, p2;
    final Tensor x, w1, w2, g1, be1, g2, be2, rm1, rv1, rm2, rv2, sm1, si1, sm2, si2;
    final Tensor fw1, fb1, fw2, fb2, a1, n1, q1, a2, n2, q2, h, logits;
    final Tensor dlogits, dh, dq2, dn2, da2, dq1, dn1, da1;
    final Tensor dw1, dw2, dg1, dbe1, dg2, dbe2, dfw1, dfb1, dfw2, dfb2, m1, m2, mf1, mf2;
    final int[] labels;

    LenetStep(CpuBackend b, int n) {
      this.b = b;
      this.n = n;
      c1 = new ConvGeom(n, 1, 28, 28, 20, 5, 5, 1, 0);
      p1 = new PoolGeom(n, 20, 24, 24, 2, 2, 0);
      c2 = new ConvGeom(n, 20, 12, 12, 50, 5, 5, 1, 0);
      p2 = new PoolGeom(n, 50, 8, 8, 2, 2, 0);
      x = random(b, 1, n, 1, 28, 28);
      w1 = random(b, 2, 20, 1, 5, 5);
      w2 = random(b, 3, 50, 20, 5, 5);
      fw1 = random(b, 4, 500, 800);
      fw2 = random(b, 5, 10, 500);
      fb1 = b.allocate(500);
      fb2 = b.allocate(10);
      g1 = b.allocate(20);
      b.fill(g1, 1);
      be1 = b.allocate(20);
      g2 = b.allocate(50);
      b.fill(g2, 1);
      be2 = b.allocate(50);
      rm1 = b.allocate(20);
      rv1 = b.allocate(20);
      rm2 = b.allocate(50);
      rv2 = b.allocate(50);
      sm1 = b.allocate(20);
      si1 = b.allocate(20);
      sm2 = b.allocate(50);
      si2 = b.allocate(50);
      a1 = b.allocate(n, 20, 24, 24);
      n1 = b.allocate(n, 20, 24, 24);
      q1 = b.allocate(n, 20, 12, 12);
      a2 = b.allocate(n, 50, 8, 8);
      n2 = b.allocate(n, 50, 8, 8);
      q2 = b.allocate(n, 50, 4, 4);
      h = b.allocate(n, 500);
      logits = b.allocate(n, 10);
      dlogits = b.allocate(n, 10);
      dh = b.allocate(n, 500);
      dq2 = b.allocate(n, 50, 4, 4);
      dn2 = b.allocate(n, 50, 8, 8);
      da2 = b.allocate(n, 50, 8, 8);
      dq1 = b.allocate(n, 20, 12, 12);
      dn1 = b.allocate(n, 20, 24, 24);
      da1 = b.allocate(n, 20, 24, 24);
      dw1 = b.allocate(20, 1, 5, 5);
      dw2 = b.allocate(50, 20, 5, 5);
      dg1 = b.allocate(20);
      dbe1 = b.allocate(20);
      dg2 = b.allocate(50);
      dbe2 = b.allocate(50);
      dfw1 = b.allocate(500, 800);
      dfb1 = b.allocate(500);
      dfw2 = b.allocate(10, 500);
      dfb2 = b.allocate(10);
      m1 = b.allocate(20, 1, 5, 5);
      m2 = b.allocate(50, 20, 5, 5);
      mf1 = b.allocate(500, 800);
      mf2 = b.allocate(10, 500);
      labels = new int[n];
      for (int i = 0; i < n; i++) labels[i] = i % 10;
    }

    void run() {
      // forward
      b.convForward(x, w1, a1, c1);
      b.batchNormForwardTrain(a1, g1, be1, rm1, rv1, n1, sm1, si1, n, 20, 576, 1e-5, 0.1);
      b.reluForward(n1, n1);
      b.maxPoolForward(n1, q1, p1);
      b.convForward(q1, w2, a2, c2);
      b.batchNormForwardTrain(a2, g2, be2, rm2, rv2, n2, sm2, si2, n, 50, 64, 1e-5, 0.1);
      b.reluForward(n2, n2);
      b.maxPoolForward(n2, q2, p2);
      b.linearForward(q2, fw1, fb1, h, n, 800, 500);
      b.reluForward(h, h);
      b.linearForward(h, fw2, fb2, logits, n, 500, 10);
      b.softmaxCrossEntropy(logits, labels, dlogits, n, 10);
      // backward (gradients zeroed first: backward kernels accumulate)
      for (Tensor t : new Tensor[] {dh, dq2, dn2, da2, dq1, dn1, da1, dw1, dw2, dg1, dbe1, dg2, dbe2, dfw1, dfb1, dfw2, dfb2}) {
        b.fill(t, 0);
      }
      b.linearBackward(h, fw2, dlogits, dh, dfw2, dfb2, n, 500, 10);
      b.reluBackward(h, dh, dh);
      b.linearBackward(q2, fw1, dh, dq2, dfw1, dfb1, n, 800, 500);
      b.maxPoolBackward(n2, q2, dq2, dn2, p2);
      b.reluBackward(n2, dn2, da2);
      Tensor dbn2 = dn2; // reuse as BN dx after zeroing
      b.fill(dbn2, 0);
      b.batchNormBackward(a2, da2, g2, sm2, si2, dbn2, dg2, dbe2, n, 50, 64);
      b.convBackwardFilter(q1, dbn2, dw2, c2);
      b.convBackwardData(dbn2, w2, dq1, c2);
      b.maxPoolBackward(n1, q1, dq1, dn1, p1);
      b.reluBackward(n1, dn1, da1);
      b.fill(dn1, 0);
      b.batchNormBackward(a1, da1, g1, sm1, si1, dn1, dg1, dbe1, n, 20, 576);
      b.convBackwardFilter(x, dn1, dw1, c1);
      // optimiser
      b.sgdStep(w1, dw1, m1, 0.01f, 0.9f, 1e-4f, false);
      b.sgdStep(w2, dw2, m2, 0.01f, 0.9f, 1e-4f, false);
      b.sgdStep(fw1, dfw1, mf1, 0.01f, 0.9f, 1e-4f, false);
      b.sgdStep(fw2, dfw2, mf2, 0.01f, 0.9f, 1e-4f, false);
    }

    @Override
    public void close() {
      for (Tensor t : new Tensor[] {x, w1, w2, fw1, fw2, fb1, fb2, a1, n1, q1, a2, n2, q2, h, logits, dlogits, dh,
          dq2, dn2, da2, dq1, dn1, da1, dw1, dw2, dfw1, dfw2, m1, m2, mf1, mf2}) {
        t.close();
      }
    }
  }
}
