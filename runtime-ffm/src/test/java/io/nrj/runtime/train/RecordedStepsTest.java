package io.nrj.runtime.train;

import static io.nrj.runtime.train.TrainingLoopTest.SGD;
import static io.nrj.runtime.train.TrainingLoopTest.TEST;
import static io.nrj.runtime.train.TrainingLoopTest.TRAIN;
import static io.nrj.runtime.train.TrainingLoopTest.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.SourceLocation;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrSettings;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.runtime.Backend;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.cpu.CpuBackend;
import io.nrj.runtime.model.GraphNetwork;
import io.nrj.runtime.model.IrBuilder;
import io.nrj.runtime.nr.Nets;
import io.nrj.runtime.nr.NrEngine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Recorded training steps (CUDA graphs on the GPU) replay to the eager run's bits: a real NR run
 * (sparse epochs, rejuvenation, mixed training, an LR milestone, a short last batch each epoch)
 * recorded on {@link RecordingCpuBackend} saves exactly the eager run's checkpoints — weights,
 * momentum, step count and BN's num_batches_tracked — after re-recording for every new batch
 * size, learning rate, λ, optimiser and network plan.
 */
class RecordedStepsTest {
  private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

  private static ScheduleIr nrSchedule() {
    NrSettings nr =
        new NrSettings(
            new NrSettings.FixedSparsity(0.02), 0.9, NrSettings.Measure.PARAMS, 0.01, 1e-3,
            NrSettings.ExpandRule.SQRT, 0.5, NrSettings.CrossMode.REMOVED, 0, NrSettings.BnRestoreMode.QUIRK, false);
    return new ScheduleIr(
        "nr", 3, 32, 50, SGD, List.of(2), 0.1, ScheduleIr.Augment.NONE, ScheduleIr.Normalize.NONE, null,
        ScheduleIr.Precision.FP32, nr, SourceLocation.UNKNOWN);
  }

  private static HostParams run(Backend backend, boolean record, List<TrainState> saved) throws IOException {
    try (GraphNetwork net = new GraphNetwork(backend, IrBuilder.chain(), 1)) {
      TrainingLoop.Options o =
          new TrainingLoop.Options(32, 50, 42, Files.createTempDirectory("nrj"), false, w -> "", (s, f) -> saved.add(s),
              record);
      new TrainingLoop(net, new EngineControl(new NrEngine(IrBuilder.chain(), nrSchedule())), SGD, TRAIN, TEST, o, QUIET)
          .run(null);
      return net.exportParams();
    }
  }

  @Test
  void recordedStepsOfARealNrRunReplayToTheEagerRunsCheckpoints() throws IOException {
    try (CpuBackend cpu = new CpuBackend(2, false)) {
      List<TrainState> eager = new ArrayList<>();
      HostParams a = run(cpu, false, eager);
      RecordingCpuBackend recording = new RecordingCpuBackend(cpu);
      List<TrainState> recorded = new ArrayList<>();
      HostParams b = run(recording.backend, true, recorded);
      assertBitIdentical(a, b);
      assertEquals(eager.size(), recorded.size());
      assertTrue(recorded.stream().anyMatch(s -> s.layout() != null), "the run rejuvenated");
      for (int e = 0; e < eager.size(); e++) {
        assertEquals(eager.get(e).steps(), recorded.get(e).steps(), "steps after epoch " + (e + 1));
        assertBitIdentical(eager.get(e).params(), recorded.get(e).params()); // incl. num_batches_tracked
        assertBitIdentical(eager.get(e).momentum(), recorded.get(e).momentum());
      }
      // 240 images in batches of 32: 7 full batches and one of 16 (eager) per epoch. A recording
      // survives the short batch and the epoch boundary; the rejuvenation (new plan, new
      // optimiser) and the LR milestone each need a new one.
      assertTrue(recording.recordings >= 3, "recordings " + recording.recordings);
      assertTrue(recording.replays >= 4 * eager.size(), "replays " + recording.replays + " in " + eager.size() + " epochs");
    }
  }

  /** Every layer kind (residual sums, concatenation, pooling) records without waiting for the host. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"vgg", "resnet", "dense"})
  void everyLayerKindRecordsAndReplaysBitIdentically(String name) {
    NetworkIr ir = switch (name) {
      case "vgg" -> Nets.vgg();
      case "resnet" -> Nets.resnet();
      default -> Nets.dense();
    };
    try (CpuBackend cpu = new CpuBackend(1, false)) {
      RecordingCpuBackend recording = new RecordingCpuBackend(cpu);
      try (GraphNetwork a = new GraphNetwork(cpu, ir, 3); GraphNetwork b = new GraphNetwork(recording.backend, ir, 3);
          Sgd sa = new Sgd(cpu, a.parameters(), SGD); Sgd sb = new Sgd(recording.backend, b.parameters(), SGD);
          StepRunner eager = new StepRunner(false); StepRunner graphs = new StepRunner(true)) {
        java.util.Random r = new java.util.Random(4);
        for (int step = 0; step < 5; step++) {
          int n = 6;
          float[] x = new float[n * (int) ir.input().size()];
          for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
          int[] y = r.ints(n, 0, ir.classes()).toArray();
          eager.step(a, sa, x, y, 0.05, 1e-3, c -> !c.fixed());
          graphs.step(b, sb, x, y, 0.05, 1e-3, c -> !c.fixed());
        }
        assertEquals(1, recording.recordings);
        assertEquals(4, recording.replays);
        assertBitIdentical(a.exportParams(), b.exportParams());
        assertBitIdentical(sa.exportState(), sb.exportState());
      }
    }
  }

  @Test
  void labelsOutsideTheClassesAreRejectedBeforeTheyReachTheDevice() {
    // the on-device loss cannot check labels, so the runner does, with the backends' message
    NetworkIr ir = IrBuilder.chain();
    try (CpuBackend cpu = new CpuBackend(1, false); GraphNetwork net = new GraphNetwork(cpu, ir, 1);
        Sgd sgd = new Sgd(cpu, net.parameters(), SGD); StepRunner runner = new StepRunner(true)) {
      float[] x = new float[2 * (int) ir.input().size()];
      var e = assertThrows(IllegalArgumentException.class,
          () -> runner.step(net, sgd, x, new int[] {0, ir.classes()}, 0.05, 0, c -> false));
      assertEquals("label " + ir.classes() + " of row 1 is outside [0, " + ir.classes() + ")", e.getMessage());
    }
  }

  @Test
  void aStepThatWaitsForTheHostCannotBeRecorded() {
    try (CpuBackend cpu = new CpuBackend(1, false)) {
      RecordingCpuBackend recording = new RecordingCpuBackend(cpu);
      var e = assertThrows(IllegalStateException.class, () -> recording.backend.record(recording.backend::synchronize));
      assertEquals("synchronize while recording: a CUDA graph cannot contain it", e.getMessage());
    }
  }
}
