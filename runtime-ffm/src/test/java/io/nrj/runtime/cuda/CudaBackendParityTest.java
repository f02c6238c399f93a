package io.nrj.runtime.cuda;

import static io.nrj.runtime.cuda.Parity.assertClose;
import static io.nrj.runtime.cuda.Parity.assertSame;
import static io.nrj.runtime.cuda.Parity.random;
import static io.nrj.runtime.cuda.Parity.twin;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.runtime.ConvGeom;
import io.nrj.runtime.PoolGeom;
import io.nrj.runtime.Tensor;
import io.nrj.runtime.cpu.CpuBackend;
import io.nrj.runtime.cuda.Parity.Twin;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@link io.nrj.runtime.Backend} operation of the CUDA backend against the CPU backend on
 * the same random inputs, in FP32, to 1e-4 relative. Backward operations start from non-zero
 * gradients, so the {@code +=} contract is checked too. Run by scripts/gpu-check.sh.
 */
@Tag("gpu")
@EnabledIf("io.nrj.runtime.cuda.GpuSupport#gpuAvailable")
class CudaBackendParityTest {
  static final double RTOL = 1e-4;
  static CpuBackend cpu;
  static CudaBackend gpu;
  final Random r = new Random(20261127);

  @BeforeAll
  static void open() {
    cpu = new CpuBackend(1, false);
    gpu = CudaBackend.open(false);
  }

  @AfterAll
  static void close() {
    if (gpu != null) gpu.close();
    if (cpu != null) cpu.close();
  }

  Twin rnd(int... shape) {
    return random(cpu, gpu, r, shape);
  }

  void same(Twin t, String label) {
    assertSame(cpu, gpu, t, RTOL, label);
  }

  // ---- memory ----

  @Test
  void allocatesZerosAndRoundTripsUploads() {
    try (Tensor t = gpu.allocate(3, 5)) {
      assertArrayEquals(new float[15], gpu.download(t));
      float[] v = Parity.gauss(r, 15);
      gpu.upload(t, v);
      assertArrayEquals(v, gpu.download(t));
      Tensor view = t.view(5, 2, 5);
      assertArrayEquals(java.util.Arrays.copyOfRange(v, 5, 15), gpu.download(view));
      gpu.fill(view, 2.5f);
      gpu.fill(t.view(0, 5), 0f);
      float[] got = gpu.download(t);
      for (int i = 0; i < 15; i++) assertEquals(i < 5 ? 0f : 2.5f, got[i]);
    }
  }

  @Test
  void uploadsFromNativeMemoryAndDownloadsIntoHeapMemory() {
    float[] v = Parity.gauss(r, 12);
    try (Tensor t = gpu.allocate(3, 4); var arena = java.lang.foreign.Arena.ofConfined()) {
      // The other two paths of upload/download: no staging copy in, a staging copy out.
      var nativeSrc = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_FLOAT, v);
      gpu.upload(t, nativeSrc);
      float[] got = new float[12];
      gpu.download(t, java.lang.foreign.MemorySegment.ofArray(got));
      assertArrayEquals(v, got);
      var wrongSize = arena.allocate(11 * Float.BYTES);
      assertThrows(IllegalArgumentException.class, () -> gpu.upload(t, wrongSize));
      assertThrows(IllegalArgumentException.class, () -> gpu.download(t, wrongSize));
    }
  }

  @Test
  void copiesOnTheDevice() {
    try (Twin a = rnd(4, 6); Twin b = rnd(4, 6)) {
      cpu.copy(a.cpu(), b.cpu());
      gpu.copy(a.gpu(), b.gpu());
      same(b, "copy");
    }
  }

  // ---- convolution ----

  static ConvGeom[] convs() {
    return new ConvGeom[] {
      new ConvGeom(4, 3, 9, 9, 8, 3, 3, 1, 1),
      new ConvGeom(3, 8, 8, 8, 6, 3, 3, 2, 1),
      new ConvGeom(2, 6, 7, 7, 10, 1, 1, 2, 0),
      new ConvGeom(2, 16, 4, 4, 5, 1, 1, 1, 0),
      // Shapes of the real networks, where cudnnFind may pick FFT or Winograd algorithms.
      new ConvGeom(8, 32, 16, 16, 32, 3, 3, 1, 1),
      new ConvGeom(4, 1, 28, 28, 20, 5, 5, 1, 0),
    };
  }

  @ParameterizedTest
  @MethodSource("convs")
  void convolutionForwardAndBothBackwardsMatchTheCpu(ConvGeom g) {
    try (Twin x = rnd(g.n(), g.c(), g.h(), g.w()); Twin w = rnd(g.k(), g.c(), g.r(), g.s());
        Twin y = rnd(g.n(), g.k(), g.outH(), g.outW()); Twin dy = rnd(g.n(), g.k(), g.outH(), g.outW());
        Twin dx = rnd(g.n(), g.c(), g.h(), g.w()); Twin dw = rnd(g.k(), g.c(), g.r(), g.s())) {
      cpu.convForward(x.cpu(), w.cpu(), y.cpu(), g);
      gpu.convForward(x.gpu(), w.gpu(), y.gpu(), g);
      same(y, "conv forward " + g);
      cpu.convBackwardData(dy.cpu(), w.cpu(), dx.cpu(), g);
      gpu.convBackwardData(dy.gpu(), w.gpu(), dx.gpu(), g);
      same(dx, "conv backward data (+=) " + g);
      cpu.convBackwardFilter(x.cpu(), dy.cpu(), dw.cpu(), g);
      gpu.convBackwardFilter(x.gpu(), dy.gpu(), dw.gpu(), g);
      same(dw, "conv backward filter (+=) " + g);
    }
  }

  /**
   * Parameters and activations are views into contiguous blocks at any element offset, so after
   * a rejuvenation to odd widths a conv's pointers are only 4-byte aligned, while cudnnFind timed
   * its algorithms on fresh (256-byte aligned) buffers. Every operand here is one float off.
   */
  @Test
  void convolutionAndBatchNormOnUnalignedViewsMatchTheCpu() {
    ConvGeom g = new ConvGeom(4, 5, 9, 9, 7, 3, 3, 1, 1);
    int n = g.n(), k = g.k(), hw = g.outH() * g.outW();
    try (Twin xb = rnd(1 + g.n() * g.c() * g.h() * g.w()); Twin wb = rnd(1 + g.k() * g.c() * 9);
        Twin yb = rnd(1 + n * k * hw); Twin dyb = rnd(1 + n * k * hw); Twin dxb = rnd(1 + g.n() * g.c() * g.h() * g.w());
        Twin dwb = rnd(1 + g.k() * g.c() * 9); Twin bnb = rnd(1 + 6 * k); Twin zb = rnd(1 + n * k * hw);
        Twin dzb = rnd(1 + n * k * hw)) {
      Twin x = view(xb, 1, g.n(), g.c(), g.h(), g.w()), w = view(wb, 1, g.k(), g.c(), 3, 3);
      Twin y = view(yb, 1, n, k, g.outH(), g.outW()), dy = view(dyb, 1, n, k, g.outH(), g.outW());
      Twin dx = view(dxb, 1, g.n(), g.c(), g.h(), g.w()), dw = view(dwb, 1, g.k(), g.c(), 3, 3);
      cpu.convForward(x.cpu(), w.cpu(), y.cpu(), g);
      gpu.convForward(x.gpu(), w.gpu(), y.gpu(), g);
      same(y, "conv forward on unaligned views");
      cpu.convBackwardData(dy.cpu(), w.cpu(), dx.cpu(), g);
      gpu.convBackwardData(dy.gpu(), w.gpu(), dx.gpu(), g);
      same(dx, "conv backward data on unaligned views");
      cpu.convBackwardFilter(x.cpu(), dy.cpu(), dw.cpu(), g);
      gpu.convBackwardFilter(x.gpu(), dy.gpu(), dw.gpu(), g);
      same(dw, "conv backward filter on unaligned views");
      // gamma, beta, running mean, saved mean, saved 1/std, dgamma: (k) each, one float off
      Twin gamma = view(bnb, 1, k), beta = view(bnb, 1 + k, k), mean = view(bnb, 1 + 2 * k, k);
      Twin saveMean = view(bnb, 1 + 3 * k, k), saveInv = view(bnb, 1 + 4 * k, k), dgamma = view(bnb, 1 + 5 * k, k);
      Twin z = view(zb, 1, n, k, hw), dz = view(dzb, 1, n, k, hw);
      try (Twin var = twin(cpu, gpu, new float[] {0.5f, 1f, 1.5f, 2f, 2.5f, 3f, 3.5f}, k); Twin dbeta = rnd(k)) {
        cpu.batchNormForwardTrain(y.cpu(), gamma.cpu(), beta.cpu(), mean.cpu(), var.cpu(), z.cpu(), saveMean.cpu(),
            saveInv.cpu(), n, k, hw, 1e-5, 0.1);
        gpu.batchNormForwardTrain(y.gpu(), gamma.gpu(), beta.gpu(), mean.gpu(), var.gpu(), z.gpu(), saveMean.gpu(),
            saveInv.gpu(), n, k, hw, 1e-5, 0.1);
        same(z, "bn on unaligned views");
        same(mean, "bn running mean on an unaligned view");
        cpu.batchNormBackward(y.cpu(), dy.cpu(), gamma.cpu(), saveMean.cpu(), saveInv.cpu(), dz.cpu(), dgamma.cpu(),
            dbeta.cpu(), n, k, hw);
        gpu.batchNormBackward(y.gpu(), dy.gpu(), gamma.gpu(), saveMean.gpu(), saveInv.gpu(), dz.gpu(), dgamma.gpu(),
            dbeta.gpu(), n, k, hw);
        same(dz, "bn dx on unaligned views");
        same(dgamma, "bn dgamma on an unaligned view");
      }
      // Pooling and ReLU on unaligned activation views (pooled before the ReLU: no tied maxima).
      PoolGeom pg = new PoolGeom(n, k, g.outH(), g.outW(), 2, 2, 0);
      int pooled = n * k * pg.outH() * pg.outW();
      try (Twin pb = rnd(1 + pooled); Twin dpb = rnd(1 + pooled)) {
        Twin pool = view(pb, 1, n, k, pg.outH(), pg.outW()), dpool = view(dpb, 1, n, k, pg.outH(), pg.outW());
        Twin z4 = view(zb, 1, n, k, g.outH(), g.outW()), dz4 = view(dzb, 1, n, k, g.outH(), g.outW());
        cpu.maxPoolForward(z4.cpu(), pool.cpu(), pg);
        gpu.maxPoolForward(z4.gpu(), pool.gpu(), pg);
        same(pool, "max pool forward on unaligned views");
        cpu.maxPoolBackward(z4.cpu(), pool.cpu(), dpool.cpu(), dz4.cpu(), pg);
        gpu.maxPoolBackward(z4.gpu(), pool.gpu(), dpool.gpu(), dz4.gpu(), pg);
        same(dz4, "max pool backward on unaligned views");
        cpu.reluForward(z4.cpu(), z4.cpu());
        gpu.reluForward(z4.gpu(), z4.gpu());
        same(z4, "relu on an unaligned view");
        cpu.reluBackward(z4.cpu(), dy.cpu(), dz4.cpu());
        gpu.reluBackward(z4.gpu(), dy.gpu(), dz4.gpu());
        same(dz4, "relu backward on unaligned views");
      }
    }
  }

  private static Twin view(Twin block, long offset, int... shape) {
    return new Twin(block.cpu().view(offset, shape), block.gpu().view(offset, shape));
  }

  @Test
  void tf32ConvolutionIsCloseButNotExact() {
    ConvGeom g = new ConvGeom(8, 32, 8, 8, 32, 3, 3, 1, 1);
    try (CudaBackend tf32 = CudaBackend.open(true); Tensor x = tf32.allocate(g.n(), g.c(), g.h(), g.w());
        Tensor w = tf32.allocate(g.k(), g.c(), g.r(), g.s()); Tensor y = tf32.allocate(g.n(), g.k(), g.outH(), g.outW());
        Twin ref = rnd(g.n(), g.k(), g.outH(), g.outW()); Twin xs = rnd(g.n(), g.c(), g.h(), g.w());
        Twin ws = rnd(g.k(), g.c(), g.r(), g.s())) {
      tf32.upload(x, cpu.download(xs.cpu()));
      tf32.upload(w, cpu.download(ws.cpu()));
      tf32.convForward(x, w, y, g);
      cpu.convForward(xs.cpu(), ws.cpu(), ref.cpu(), g);
      assertTrue(tf32.tf32());
      assertClose(tf32.download(y), cpu.download(ref.cpu()), 1e-2, "TF32 conv forward");
    }
  }

  // ---- batch norm ----

  @Test
  void batchNormTrainingMatchesIncludingRunningStatsAndSavedStats() {
    int n = 4, c = 5, hw = 12;
    try (Twin x = rnd(n, c, hw); Twin gamma = rnd(c); Twin beta = rnd(c); Twin y = rnd(n, c, hw);
        Twin mean = rnd(c); Twin saveMean = rnd(c); Twin saveInv = rnd(c);
        Twin var = twin(cpu, gpu, new float[] {0.5f, 1f, 1.5f, 2f, 2.5f}, c)) {
      cpu.batchNormForwardTrain(x.cpu(), gamma.cpu(), beta.cpu(), mean.cpu(), var.cpu(), y.cpu(), saveMean.cpu(),
          saveInv.cpu(), n, c, hw, 1e-5, 0.1);
      gpu.batchNormForwardTrain(x.gpu(), gamma.gpu(), beta.gpu(), mean.gpu(), var.gpu(), y.gpu(), saveMean.gpu(),
          saveInv.gpu(), n, c, hw, 1e-5, 0.1);
      same(y, "bn y");
      same(saveMean, "bn saved mean");
      same(saveInv, "bn saved 1/sqrt(var+eps)");
      same(mean, "bn running mean");
      same(var, "bn running var (unbiased, as PyTorch)");
      try (Twin dy = rnd(n, c, hw); Twin dx = rnd(n, c, hw); Twin dg = rnd(c); Twin db = rnd(c)) {
        cpu.batchNormBackward(x.cpu(), dy.cpu(), gamma.cpu(), saveMean.cpu(), saveInv.cpu(), dx.cpu(), dg.cpu(),
            db.cpu(), n, c, hw);
        gpu.batchNormBackward(x.gpu(), dy.gpu(), gamma.gpu(), saveMean.gpu(), saveInv.gpu(), dx.gpu(), dg.gpu(),
            db.gpu(), n, c, hw);
        same(dx, "bn dx (+=)");
        same(dg, "bn dgamma (+=)");
        same(db, "bn dbeta (+=)");
      }
      cpu.batchNormForwardEval(x.cpu(), gamma.cpu(), beta.cpu(), mean.cpu(), var.cpu(), y.cpu(), n, c, hw, 1e-5);
      gpu.batchNormForwardEval(x.gpu(), gamma.gpu(), beta.gpu(), mean.gpu(), var.gpu(), y.gpu(), n, c, hw, 1e-5);
      same(y, "bn eval y");
    }
  }

  // ---- element-wise ----

  @Test
  void reluForwardInPlaceAndBackward() {
    try (Twin x = rnd(3, 4, 5); Twin y = rnd(3, 4, 5); Twin dy = rnd(3, 4, 5); Twin dx = rnd(3, 4, 5)) {
      cpu.reluForward(x.cpu(), y.cpu());
      gpu.reluForward(x.gpu(), y.gpu());
      same(y, "relu forward");
      cpu.reluBackward(y.cpu(), dy.cpu(), dx.cpu());
      gpu.reluBackward(y.gpu(), dy.gpu(), dx.gpu());
      same(dx, "relu backward (+=)");
      cpu.reluForward(x.cpu(), x.cpu());
      gpu.reluForward(x.gpu(), x.gpu());
      same(x, "relu in place");
    }
  }

  @Test
  void addAxpyMultiplyAndTheGate() {
    try (Twin a = rnd(7, 9); Twin b = rnd(7, 9); Twin y = rnd(7, 9); Twin mask = twin(cpu, gpu, mask(63), 7, 9)) {
      cpu.add(a.cpu(), b.cpu(), y.cpu());
      gpu.add(a.gpu(), b.gpu(), y.gpu());
      same(y, "add");
      cpu.axpy(-0.75f, a.cpu(), y.cpu());
      gpu.axpy(-0.75f, a.gpu(), y.gpu());
      same(y, "axpy");
      cpu.multiply(y.cpu(), mask.cpu());
      gpu.multiply(y.gpu(), mask.gpu());
      same(y, "multiply by mask");
      cpu.gateForward(a.cpu(), b.cpu(), y.cpu());
      gpu.gateForward(a.gpu(), b.gpu(), y.gpu());
      same(y, "gate forward");
      try (Twin dy = rnd(7, 9); Twin da = rnd(7, 9); Twin dc = rnd(7, 9)) {
        cpu.gateBackward(a.cpu(), b.cpu(), dy.cpu(), da.cpu(), dc.cpu());
        gpu.gateBackward(a.gpu(), b.gpu(), dy.gpu(), da.gpu(), dc.gpu());
        same(da, "gate da (+=)");
        same(dc, "gate dc (+=)");
      }
    }
  }

  private float[] mask(int n) {
    float[] m = new float[n];
    for (int i = 0; i < n; i++) m[i] = r.nextBoolean() ? 1f : 0f;
    return m;
  }

  // ---- pooling ----

  static PoolGeom[] pools() {
    return new PoolGeom[] {
      new PoolGeom(2, 3, 8, 8, 2, 2, 0), new PoolGeom(2, 3, 7, 7, 3, 2, 1), new PoolGeom(1, 4, 6, 6, 3, 1, 1),
    };
  }

  @ParameterizedTest
  @MethodSource("pools")
  void maxAndAveragePoolingMatch(PoolGeom g) {
    try (Twin x = rnd(g.n(), g.c(), g.h(), g.w()); Twin y = rnd(g.n(), g.c(), g.outH(), g.outW());
        Twin dy = rnd(g.n(), g.c(), g.outH(), g.outW()); Twin dx = rnd(g.n(), g.c(), g.h(), g.w())) {
      cpu.maxPoolForward(x.cpu(), y.cpu(), g);
      gpu.maxPoolForward(x.gpu(), y.gpu(), g);
      same(y, "max pool forward " + g);
      cpu.maxPoolBackward(x.cpu(), y.cpu(), dy.cpu(), dx.cpu(), g);
      gpu.maxPoolBackward(x.gpu(), y.gpu(), dy.gpu(), dx.gpu(), g);
      same(dx, "max pool backward (+=) " + g);
      cpu.avgPoolForward(x.cpu(), y.cpu(), g);
      gpu.avgPoolForward(x.gpu(), y.gpu(), g);
      same(y, "avg pool forward " + g);
      cpu.avgPoolBackward(dy.cpu(), dx.cpu(), g);
      gpu.avgPoolBackward(dy.gpu(), dx.gpu(), g);
      same(dx, "avg pool backward (+=) " + g);
    }
  }

  /**
   * The Backend contract routes a window's gradient to its first maximum (row-major). Ties are
   * common in real networks (a channel whose BN scale is 0 outputs a constant; NR zeroes scales on
   * purpose), and cuDNN does not document which tied element it picks: this pins it down.
   */
  @ParameterizedTest
  @MethodSource("pools")
  void maxPoolBackwardRoutesTiesToTheFirstMaximum(PoolGeom g) {
    float[] v = new float[g.n() * g.c() * g.h() * g.w()];
    for (int i = 0; i < v.length; i++) v[i] = r.nextInt(3) - 1; // -1, 0 or 1: many ties
    try (Twin x = twin(cpu, gpu, v, g.n(), g.c(), g.h(), g.w()); Twin y = rnd(g.n(), g.c(), g.outH(), g.outW());
        Twin dy = rnd(g.n(), g.c(), g.outH(), g.outW()); Twin dx = rnd(g.n(), g.c(), g.h(), g.w())) {
      cpu.maxPoolForward(x.cpu(), y.cpu(), g);
      gpu.maxPoolForward(x.gpu(), y.gpu(), g);
      same(y, "max pool forward with ties " + g);
      cpu.maxPoolBackward(x.cpu(), y.cpu(), dy.cpu(), dx.cpu(), g);
      gpu.maxPoolBackward(x.gpu(), y.gpu(), dy.gpu(), dx.gpu(), g);
      same(dx, "max pool backward with ties (first maximum) " + g);
    }
  }

  @Test
  void globalAveragePooling() {
    int n = 3, c = 7, hw = 16;
    try (Twin x = rnd(n, c, hw); Twin y = rnd(n, c); Twin dx = rnd(n, c, hw)) {
      cpu.globalAvgPoolForward(x.cpu(), y.cpu(), n, c, hw);
      gpu.globalAvgPoolForward(x.gpu(), y.gpu(), n, c, hw);
      same(y, "global avg pool forward");
      cpu.globalAvgPoolBackward(y.cpu(), dx.cpu(), n, c, hw);
      gpu.globalAvgPoolBackward(y.gpu(), dx.gpu(), n, c, hw);
      same(dx, "global avg pool backward (+=)");
    }
  }

  @Test
  void channelCopiesOverwriteAndAccumulate() {
    int n = 2, hw = 9;
    try (Twin src = rnd(n, 5, hw); Twin dst = rnd(n, 8, hw)) {
      cpu.copyChannels(src.cpu(), 5, 1, dst.cpu(), 8, 4, 3, n, hw, false);
      gpu.copyChannels(src.gpu(), 5, 1, dst.gpu(), 8, 4, 3, n, hw, false);
      same(dst, "copy channels");
      cpu.copyChannels(src.cpu(), 5, 0, dst.cpu(), 8, 0, 5, n, hw, true);
      gpu.copyChannels(src.gpu(), 5, 0, dst.gpu(), 8, 0, 5, n, hw, true);
      same(dst, "copy channels (+=)");
    }
  }

  @Test
  void gatherBlockCopiesTheSurvivorBlockAndKeepsTheRest() {
    // src (6 rows, 5 cols, inner 9) -> dst (4 rows, 7 cols, inner 9), as for a conv weight (O, I, 3x3)
    int[] rows = {5, 0, 3};
    int[] cols = {4, 1, 2, 0};
    try (Twin src = rnd(6, 5, 9); Twin dst = rnd(4, 7, 9)) {
      cpu.gatherBlock(src.cpu(), 5, dst.cpu(), 7, 9, rows, cols);
      gpu.gatherBlock(src.gpu(), 5, dst.gpu(), 7, 9, rows, cols);
      same(dst, "gather block");
      cpu.gatherBlock(src.cpu(), 5, dst.cpu(), 7, 9, new int[0], cols);
      gpu.gatherBlock(src.gpu(), 5, dst.gpu(), 7, 9, new int[0], cols);
      same(dst, "gather of no rows");
      assertThrows(IllegalArgumentException.class, () -> gpu.gatherBlock(src.gpu(), 5, dst.gpu(), 7, 9, new int[] {6}, cols));
    }
  }

  // ---- classifier, loss, optimiser ----

  @Test
  void linearForwardAndBackward() {
    int n = 6, c = 20, k = 10;
    try (Twin x = rnd(n, c); Twin w = rnd(k, c); Twin b = rnd(k); Twin y = rnd(n, k); Twin dy = rnd(n, k);
        Twin dx = rnd(n, c); Twin dw = rnd(k, c); Twin db = rnd(k)) {
      cpu.linearForward(x.cpu(), w.cpu(), b.cpu(), y.cpu(), n, c, k);
      gpu.linearForward(x.gpu(), w.gpu(), b.gpu(), y.gpu(), n, c, k);
      same(y, "linear forward");
      cpu.linearBackward(x.cpu(), w.cpu(), dy.cpu(), dx.cpu(), dw.cpu(), db.cpu(), n, c, k);
      gpu.linearBackward(x.gpu(), w.gpu(), dy.gpu(), dx.gpu(), dw.gpu(), db.gpu(), n, c, k);
      same(dx, "linear dx (+=)");
      same(dw, "linear dw (+=)");
      same(db, "linear db (+=)");
      cpu.linearBackward(x.cpu(), w.cpu(), dy.cpu(), null, dw.cpu(), db.cpu(), n, c, k);
      gpu.linearBackward(x.gpu(), w.gpu(), dy.gpu(), null, dw.gpu(), db.gpu(), n, c, k);
      same(dw, "linear dw without dx");
    }
  }

  @Test
  void linearWithoutBiasMatchesTheCpu() {
    int n = 4, c = 9, k = 6;
    try (Twin x = rnd(n, c); Twin w = rnd(k, c); Twin y = rnd(n, k); Twin dy = rnd(n, k); Twin dw = rnd(k, c)) {
      cpu.linearForward(x.cpu(), w.cpu(), null, y.cpu(), n, c, k);
      gpu.linearForward(x.gpu(), w.gpu(), null, y.gpu(), n, c, k);
      same(y, "linear forward without bias");
      cpu.linearBackward(x.cpu(), w.cpu(), dy.cpu(), null, dw.cpu(), null, n, c, k);
      gpu.linearBackward(x.gpu(), w.gpu(), dy.gpu(), null, dw.gpu(), null, n, c, k);
      same(dw, "linear dw without dx and db");
    }
  }

  @Test
  void rejectsLabelsOutsideTheClassesAsTheCpuDoes() {
    try (Twin logits = rnd(3, 4); Twin d = rnd(3, 4)) {
      for (int[] labels : new int[][] {{0, 4, 1}, {0, -1, 1}, {0, 1}}) {
        var onCpu = assertThrows(IllegalArgumentException.class,
            () -> cpu.softmaxCrossEntropy(logits.cpu(), labels, d.cpu(), 3, 4));
        var onGpu = assertThrows(IllegalArgumentException.class,
            () -> gpu.softmaxCrossEntropy(logits.gpu(), labels, d.gpu(), 3, 4));
        assertEquals(onCpu.getMessage(), onGpu.getMessage());
      }
    }
  }

  @Test
  void misshapenTensorsFailWithTheCpusMessagesBeforeAnyDeviceWork() {
    ConvGeom g = new ConvGeom(2, 3, 8, 8, 4, 3, 3, 1, 1);
    try (Twin x = rnd(2, 3, 8, 8); Twin w = rnd(4, 3, 3, 3); Twin y = rnd(2, 4, 8, 7); Twin a = rnd(5); Twin b = rnd(6)) {
      var onCpu = assertThrows(IllegalArgumentException.class, () -> cpu.convForward(x.cpu(), w.cpu(), y.cpu(), g));
      var onGpu = assertThrows(IllegalArgumentException.class, () -> gpu.convForward(x.gpu(), w.gpu(), y.gpu(), g));
      assertEquals(onCpu.getMessage(), onGpu.getMessage());
      onCpu = assertThrows(IllegalArgumentException.class, () -> cpu.add(a.cpu(), b.cpu(), a.cpu()));
      onGpu = assertThrows(IllegalArgumentException.class, () -> gpu.add(a.gpu(), b.gpu(), a.gpu()));
      assertEquals("add operand b: expected 5 elements, tensor [6] has 6", onGpu.getMessage());
      assertEquals(onCpu.getMessage(), onGpu.getMessage());
    }
  }

  @Test
  void softmaxCrossEntropyLossAndGradient() {
    int n = 9, k = 10;
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) labels[i] = r.nextInt(k);
    try (Twin logits = rnd(n, k); Twin d = rnd(n, k)) {
      double lc = cpu.softmaxCrossEntropy(logits.cpu(), labels, d.cpu(), n, k);
      double lg = gpu.softmaxCrossEntropy(logits.gpu(), labels, d.gpu(), n, k);
      assertEquals(lc, lg, RTOL * Math.abs(lc));
      same(d, "dlogits");
    }
  }

  @Test
  void l1SubgradientAndSgdSteps() {
    float[] p = Parity.gauss(r, 40);
    p[3] = 0f; // sign(0) = 0
    try (Twin param = twin(cpu, gpu, p, 40); Twin grad = rnd(40); Twin mom = rnd(40)) {
      cpu.l1Subgradient(param.cpu(), grad.cpu(), 1e-3f);
      gpu.l1Subgradient(param.gpu(), grad.gpu(), 1e-3f);
      same(grad, "l1 sub-gradient (+=)");
      for (boolean first : new boolean[] {true, false, false}) {
        cpu.sgdStep(param.cpu(), grad.cpu(), mom.cpu(), 0.1f, 0.9f, 1e-4f, first);
        gpu.sgdStep(param.gpu(), grad.gpu(), mom.gpu(), 0.1f, 0.9f, 1e-4f, first);
        same(param, "sgd params (first=" + first + ")");
        same(mom, "sgd momentum (first=" + first + ")");
      }
    }
  }

  // ---- CUDA graphs ----

  @Test
  void aCapturedStepReplaysLikeTheEagerOne() {
    ConvGeom g = new ConvGeom(2, 4, 6, 6, 8, 3, 3, 1, 1);
    try (Twin x = rnd(g.n(), g.c(), g.h(), g.w()); Twin w = rnd(g.k(), g.c(), g.r(), g.s());
        Twin y = rnd(g.n(), g.k(), g.outH(), g.outW()); Twin acc = rnd(g.n(), g.k(), g.outH(), g.outW())) {
      Runnable onCpu = () -> {
        cpu.convForward(x.cpu(), w.cpu(), y.cpu(), g);
        cpu.reluForward(y.cpu(), y.cpu());
        cpu.axpy(0.5f, y.cpu(), acc.cpu());
      };
      Runnable onGpu = () -> {
        gpu.convForward(x.gpu(), w.gpu(), y.gpu(), g);
        gpu.reluForward(y.gpu(), y.gpu());
        gpu.axpy(0.5f, y.gpu(), acc.gpu());
      };
      onCpu.run();
      onGpu.run(); // eager first: plans and workspace exist before capture
      try (CudaGraph graph = gpu.capture(onGpu)) {
        same(acc, "nothing runs while capturing");
        for (int i = 0; i < 2; i++) {
          onCpu.run();
          graph.replay();
        }
      }
      same(acc, "after two replays");
    }
  }

  /**
   * A whole training step (conv, batch norm, ReLU, max pool, global pool, classifier, their
   * backward passes, the L1 sub-gradient and SGD; not the loss, which reads back to the host)
   * recorded once and replayed: each replay must equal one more eager step on the CPU.
   */
  @Test
  void aCapturedTrainingStepReplaysLikeEagerSteps() {
    int n = 4, c = 3, k = 8, classes = 5, hw = 64;
    ConvGeom cg = new ConvGeom(n, c, 8, 8, k, 3, 3, 1, 1);
    PoolGeom pg = new PoolGeom(n, k, 8, 8, 2, 2, 0);
    float[] var = new float[k];
    for (int i = 0; i < k; i++) var[i] = 0.5f + i * 0.25f;
    try (Twin x = rnd(n, c, 8, 8); Twin w = rnd(k, c, 3, 3); Twin dw = rnd(k, c, 3, 3); Twin mw = rnd(k, c, 3, 3);
        Twin a = rnd(n, k, 8, 8); Twin z = rnd(n, k, 8, 8); Twin dz = rnd(n, k, 8, 8); Twin dr = rnd(n, k, 8, 8);
        Twin da = rnd(n, k, 8, 8); Twin dx = rnd(n, c, 8, 8);
        Twin gamma = rnd(k); Twin beta = rnd(k); Twin dgamma = rnd(k); Twin dbeta = rnd(k); Twin mean = rnd(k);
        Twin runVar = twin(cpu, gpu, var, k); Twin saveMean = rnd(k); Twin saveInv = rnd(k);
        Twin p = rnd(n, k, 4, 4); Twin dp = rnd(n, k, 4, 4); Twin g = rnd(n, k); Twin dg = rnd(n, k);
        Twin fw = rnd(classes, k); Twin fb = rnd(classes); Twin dfw = rnd(classes, k); Twin dfb = rnd(classes);
        Twin mfw = rnd(classes, k); Twin logits = rnd(n, classes); Twin dlogits = rnd(n, classes)) {
      java.util.function.Consumer<io.nrj.runtime.Backend> step = b -> {
        boolean onGpu = b == gpu;
        java.util.function.Function<Twin, Tensor> t = tw -> onGpu ? tw.gpu() : tw.cpu();
        for (Twin grad : new Twin[] {dw, dgamma, dbeta, dfw, dfb, dg, dp, dz, dr, da, dx}) b.fill(t.apply(grad), 0f);
        b.convForward(t.apply(x), t.apply(w), t.apply(a), cg);
        b.batchNormForwardTrain(t.apply(a), t.apply(gamma), t.apply(beta), t.apply(mean), t.apply(runVar),
            t.apply(z), t.apply(saveMean), t.apply(saveInv), n, k, hw, 1e-5, 0.1);
        b.reluForward(t.apply(z), t.apply(z));
        b.maxPoolForward(t.apply(z), t.apply(p), pg);
        b.globalAvgPoolForward(t.apply(p), t.apply(g), n, k, 16);
        b.linearForward(t.apply(g), t.apply(fw), t.apply(fb), t.apply(logits), n, k, classes);
        b.linearBackward(t.apply(g), t.apply(fw), t.apply(dlogits), t.apply(dg), t.apply(dfw), t.apply(dfb), n, k,
            classes);
        b.globalAvgPoolBackward(t.apply(dg), t.apply(dp), n, k, 16);
        // Max-pool ties (all-zero windows after the ReLU) only route gradient that the ReLU drops.
        b.maxPoolBackward(t.apply(z), t.apply(p), t.apply(dp), t.apply(dz), pg);
        b.reluBackward(t.apply(z), t.apply(dz), t.apply(dr));
        b.batchNormBackward(t.apply(a), t.apply(dr), t.apply(gamma), t.apply(saveMean), t.apply(saveInv),
            t.apply(da), t.apply(dgamma), t.apply(dbeta), n, k, hw);
        b.convBackwardFilter(t.apply(x), t.apply(da), t.apply(dw), cg);
        b.convBackwardData(t.apply(da), t.apply(w), t.apply(dx), cg);
        b.l1Subgradient(t.apply(gamma), t.apply(dgamma), 1e-4f);
        b.sgdStep(t.apply(w), t.apply(dw), t.apply(mw), 0.01f, 0.9f, 1e-4f, false);
        b.sgdStep(t.apply(fw), t.apply(dfw), t.apply(mfw), 0.01f, 0.9f, 1e-4f, false);
      };
      step.accept(cpu);
      step.accept(gpu); // eager first: plans, workspace and kernel handles exist before capture
      try (CudaGraph graph = gpu.capture(() -> step.accept(gpu))) {
        assertSame(cpu, gpu, w, 1e-3, "nothing runs while capturing");
        for (int i = 0; i < 2; i++) {
          step.accept(cpu);
          graph.replay();
        }
      }
      // Three chained steps, hence 1e-3; a replay that skipped or repeated work is off by O(1).
      for (var e : java.util.Map.of("conv weight", w, "classifier weight", fw, "running mean", mean,
          "running var", runVar, "dx", dx, "logits", logits, "dgamma", dgamma).entrySet()) {
        assertSame(cpu, gpu, e.getValue(), 1e-3, "after two replays: " + e.getKey());
      }
    }
  }

  // ---- errors ----

  @Test
  void outOfMemoryIsANamedError() {
    var e = assertThrows(CudaOutOfMemoryException.class, () -> gpu.allocate(1 << 18, 1 << 20)); // 1 TiB
    assertTrue(e.getMessage().startsWith("cudaMalloc failed: cudaErrorMemoryAllocation (2): out of GPU memory "
        + "allocating 1048576.0 MiB (nrj holds "), e.getMessage());
    try (Tensor t = gpu.allocate(4)) { // still usable afterwards
      assertArrayEquals(new float[4], gpu.download(t));
    }
  }
}
