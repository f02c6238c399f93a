package io.nrj.runtime.cuda;

import static io.nrj.runtime.cuda.Parity.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.nrj.dsl.SourceLocation;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.runtime.nr.Nets;
import io.nrj.dsl.ir.NrSettings;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.HostTensor;
import io.nrj.runtime.cpu.CpuBackend;
import io.nrj.runtime.model.GraphNetwork;
import io.nrj.runtime.nr.NrEngine;
import io.nrj.runtime.nr.Rejuvenation;
import io.nrj.runtime.train.Sgd;
import io.nrj.runtime.train.StepRunner;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole networks on the GPU against the CPU: a few SGD steps of small VGG, residual and dense
 * networks, and a rejuvenation (same widths and survivors, then training on at the new widths).
 * Differences grow with depth and steps, hence 1e-3 rather than the op-level 1e-4.
 */
@Tag("gpu")
@EnabledIf("io.nrj.runtime.cuda.GpuSupport#gpuAvailable")
class CudaTrainingParityTest {
  static final double RTOL = 1e-3;
  static final int N = 8;
  static final ScheduleIr.Sgd SGD = new ScheduleIr.Sgd(0.05, 0.9, 1e-4);

  static Stream<Arguments> nets() {
    return Stream.of(Arguments.of("vgg", Nets.vgg()), Arguments.of("resnet", Nets.resnet()),
        Arguments.of("dense", Nets.dense()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nets")
  void threeTrainingStepsMatchTheCpu(String name, NetworkIr ir) {
    try (var cpu = new CpuBackend(1, false); var gpu = CudaBackend.open(false);
        var a = new GraphNetwork(cpu, ir, 5); var b = new GraphNetwork(gpu, ir, 5)) {
      b.importParams(a.exportParams());
      try (var sa = new Sgd(cpu, a.parameters(), SGD); var sb = new Sgd(gpu, b.parameters(), SGD)) {
        Random r = new Random(11);
        for (int step = 0; step < 3; step++) {
          step(r, ir, a, b, sa, sb, 0.05, 1e-4, name + " step " + step);
        }
      }
      assertParamsClose(b.exportParams(), a.exportParams(), name);
    }
  }

  /**
   * Steps recorded once as a CUDA graph and replayed ({@code StepRunner}, as {@code --cuda-graphs}
   * does) train like eager CPU steps: losses per step, then weights, momentum and step count.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("nets")
  void stepsReplayedAsACudaGraphMatchTheCpu(String name, NetworkIr ir) {
    try (var cpu = new CpuBackend(1, false); var gpu = CudaBackend.open(false);
        var a = new GraphNetwork(cpu, ir, 5); var b = new GraphNetwork(gpu, ir, 5);
        var sa = new Sgd(cpu, a.parameters(), SGD); var sb = new Sgd(gpu, b.parameters(), SGD);
        var eager = new StepRunner(false); var graphs = new StepRunner(true)) {
      b.importParams(a.exportParams());
      Random r = new Random(12);
      int replays = 0;
      for (int step = 0; step < 5; step++) {
        float[] images = Parity.gauss(r, N * (int) ir.input().size());
        int[] labels = new int[N];
        for (int i = 0; i < N; i++) labels[i] = r.nextInt(ir.classes());
        double la = eager.step(a, sa, images, labels, 0.05, 1e-4, c -> true);
        double lb = graphs.step(b, sb, images, labels, 0.05, 1e-4, c -> true);
        assertEquals(la, lb, RTOL * Math.abs(la), name + " loss of step " + step);
        if (graphs.lastStepReplayed()) replays++;
      }
      assertEquals(4, replays, "steps 2 to 5 replay the graph recorded at step 2");
      assertEquals(sa.steps(), sb.steps());
      assertParamsClose(b.exportParams(), a.exportParams(), name + " after replays");
      assertParamsClose(sb.exportState(), sa.exportState(), name + " momentum");
    }
  }

  /** One forward, backward and SGD step on both networks, comparing loss and gradients. */
  private static void step(Random r, NetworkIr ir, GraphNetwork a, GraphNetwork b, Sgd sa, Sgd sb, double lr,
      double lambda, String label) {
    float[] images = Parity.gauss(r, N * (int) ir.input().size());
    int[] labels = new int[N];
    for (int i = 0; i < N; i++) labels[i] = r.nextInt(ir.classes());
    a.backend().upload(a.input(N), images);
    b.backend().upload(b.input(N), images);
    a.forward(N, true);
    b.forward(N, true);
    double la = a.loss(labels);
    double lb = b.loss(labels);
    assertEquals(la, lb, RTOL * Math.abs(la), label + " loss");
    a.backward();
    b.backward();
    assertClose(b.backend().download(b.parameters().gradBlock()), a.backend().download(a.parameters().gradBlock()),
        RTOL, label + " gradients");
    sa.step(lr, lambda, c -> true);
    sb.step(lr, lambda, c -> true);
  }

  private static void assertParamsClose(HostParams gpu, HostParams cpu, String label) {
    assertEquals(cpu.asMap().keySet(), gpu.asMap().keySet(), label);
    for (var e : cpu.asMap().entrySet()) {
      HostTensor g = gpu.get(e.getKey());
      assertArrayEquals(e.getValue().shape(), g.shape(), label + " " + e.getKey());
      assertClose(g.data(), e.getValue().data(), RTOL, label + " " + e.getKey());
    }
  }

  @Test
  void rejuvenationOnTheGpuGivesTheCpusWidthsAndSurvivorsAndTrainsOn() {
    NetworkIr ir = Nets.vgg();
    try (var cpu = new CpuBackend(1, false); var gpu = CudaBackend.open(false);
        var a = new GraphNetwork(cpu, ir, 5); var b = new GraphNetwork(gpu, ir, 5)) {
      HostParams p = a.exportParams();
      // Most BN scales zero, so utilisation falls below the 0.25 target (as in NrEngineTest).
      gamma(p, "f.c1", 1f, 0, 1f, 0, 0, 0, 1f, 0);
      gamma(p, "f.c2", 0, 1f, 1f, 0, 0, 0, 0, 1f);
      gamma(p, "f.c3", 1f, 1f, 0, 0, 1f, 0, 0, 0, 0, 1f, 0, 0);
      gamma(p, "f.c4", 1f, 1f, 0, 0, 1f, 0, 0, 0, 0, 1f, 0, 0);
      a.importParams(p);
      b.importParams(p);
      Random r = new Random(3);
      try (var sa = new Sgd(cpu, a.parameters(), SGD); var sb = new Sgd(gpu, b.parameters(), SGD)) {
        // A small step keeps the zero scales well below the liveness threshold.
        step(r, ir, a, b, sa, sb, 1e-4, 1e-4, "sparse step");
      }
      Rejuvenation ra = new NrEngine(ir, schedule()).endOfEpoch(0, a.exportParams(), 7).rejuvenation();
      Rejuvenation rb = new NrEngine(ir, schedule()).endOfEpoch(0, b.exportParams(), 7).rejuvenation();
      assertNotNull(ra, "rejuvenation fired on the CPU");
      assertNotNull(rb, "rejuvenation fired on the GPU");
      assertArrayEquals(ra.widths().toArray(), rb.widths().toArray());
      // The surgery runs on each device: survivors gathered there, fresh tensors uploaded.
      a.rejuvenate(ra.widths(), ra.layout(), ra.surgery());
      b.rejuvenate(rb.widths(), rb.layout(), rb.surgery());
      assertParamsClose(b.exportParams(), a.exportParams(), "rejuvenated");
      try (var sa = new Sgd(cpu, a.parameters(), SGD); var sb = new Sgd(gpu, b.parameters(), SGD)) {
        for (int i = 0; i < 2; i++) {
          step(r, ir, a, b, sa, sb, 0.05, 0, "mixed step " + i);
        }
      }
      assertParamsClose(b.exportParams(), a.exportParams(), "after rejuvenation");
    }
  }

  private static void gamma(HostParams p, String conv, float... g) {
    p.put(conv + ".bn.weight", new HostTensor(new int[] {g.length}, g.clone()));
  }

  private static ScheduleIr schedule() {
    NrSettings nr = new NrSettings(new NrSettings.FixedSparsity(1.5e-4), 0.25, NrSettings.Measure.PARAMS, 0.01, 1e-3,
        NrSettings.ExpandRule.SQRT, 0.5, NrSettings.CrossMode.REMOVED, 0, NrSettings.BnRestoreMode.QUIRK, false);
    return new ScheduleIr("s", 300, 64, 100, SGD, List.of(150, 225), 0.1, ScheduleIr.Augment.NONE,
        ScheduleIr.Normalize.NONE, null, ScheduleIr.Precision.FP32, nr, SourceLocation.UNKNOWN);
  }
}
