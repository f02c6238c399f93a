package io.nrj.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.SourceLocation;
import io.nrj.dsl.ir.NrSettings;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.HostTensor;
import io.nrj.runtime.cpu.CpuBackend;
import io.nrj.runtime.model.GraphNetwork;
import io.nrj.runtime.model.IrBuilder;
import io.nrj.runtime.model.NetFixturesAccess;
import io.nrj.runtime.nr.NrEngine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingLoopTest {
  static final CpuBackend BACKEND = new CpuBackend(2, false);
  static final InMemoryBatchSource TRAIN = SyntheticData.make(240, 1);
  static final InMemoryBatchSource TEST = SyntheticData.make(90, 2);
  static final ScheduleIr.Sgd SGD = new ScheduleIr.Sgd(0.05, 0.9, 5e-4);
  static final ScheduleIr SCHEDULE =
      new ScheduleIr(
          "toy", 3, 32, 50, SGD, List.of(2), 0.1, ScheduleIr.Augment.NONE, ScheduleIr.Normalize.NONE,
          null, ScheduleIr.Precision.FP32, null, SourceLocation.UNKNOWN);

  @AfterAll
  static void close() {
    BACKEND.close();
  }

  private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

  /** Runs {@code control} on a fresh chain net (seed 1) from {@code resume}; returns the final weights. */
  private static HostParams run(NrControl control, TrainState resume, Path out, List<TrainState> saved, long netSeed)
      throws IOException {
    try (GraphNetwork net = new GraphNetwork(BACKEND, IrBuilder.chain(), netSeed)) {
      TrainingLoop.Options o =
          new TrainingLoop.Options(32, 50, 42, out, false, w -> "network chain # " + w + "\n",
              (state, file) -> saved.add(state));
      new TrainingLoop(net, control, SGD, TRAIN, TEST, o, QUIET).run(resume);
      return net.exportParams();
    }
  }

  static void assertBitIdentical(HostParams expected, HostParams actual) {
    assertEquals(List.copyOf(expected.asMap().keySet()), List.copyOf(actual.asMap().keySet()));
    for (Map.Entry<String, HostTensor> e : expected.asMap().entrySet()) {
      assertArrayEquals(e.getValue().data(), actual.get(e.getKey()).data(), e.getKey());
    }
  }

  @Test
  void optimizerStepMatchesTheSpecExample() {
    // Spec §13.6: lambda 1e-4, wd 1e-4, lr 0.1, mu 0.9, gamma 0.5, grad 0 -> gamma 0.499985.
    try (GraphNetwork net = new GraphNetwork(BACKEND, IrBuilder.everyKind(), 1);
        Sgd sgd = new Sgd(BACKEND, net.parameters(), new ScheduleIr.Sgd(0.1, 0.9, 1e-4))) {
      HostParams p = net.exportParams();
      for (String c : List.of("c0", "c1")) p.put(c + ".bn.weight", new HostTensor(new int[] {3}, new float[] {0.5f, 0.5f, 0.5f}));
      net.importParams(p);
      BACKEND.fill(net.parameters().gradBlock(), 0f);
      sgd.step(0.1, 1e-4, c -> !c.fixed());
      HostParams after = net.exportParams();
      assertEquals(0.499985f, after.get("c0.bn.weight").data()[0], 1e-8f);
      // c1 is fixed (feeds the residual sum): weight decay only, 0.5 - 0.1*5e-5.
      assertEquals(0.499995f, after.get("c1.bn.weight").data()[0], 1e-8f);
    }
  }

  @Test
  void resumeAfterOneEpochIsBitIdenticalToAnUninterruptedRun() throws IOException {
    List<TrainState> saved = new ArrayList<>();
    HostParams straight = run(new ScheduleControl(SCHEDULE, 3), null, null, saved, 1);
    List<TrainState> first = new ArrayList<>();
    run(new ScheduleControl(SCHEDULE, 1), null, Files.createTempDirectory("nrj"), first, 1);
    assertEquals(1, first.getFirst().nextEpoch());
    // A different init seed: everything must come from the checkpointed state.
    HostParams resumed = run(new ScheduleControl(SCHEDULE, 3), first.getFirst(), null, new ArrayList<>(), 99);
    assertBitIdentical(straight, resumed);
  }

  @Test
  void sameSeedGivesBitIdenticalWeightsAndAnotherSeedDoesNot() throws IOException {
    HostParams a = run(new ScheduleControl(SCHEDULE, 1), null, null, new ArrayList<>(), 5);
    HostParams b = run(new ScheduleControl(SCHEDULE, 1), null, null, new ArrayList<>(), 5);
    assertBitIdentical(a, b);
    HostParams c = run(new ScheduleControl(SCHEDULE, 1), null, null, new ArrayList<>(), 6);
    assertFalse(java.util.Arrays.equals(a.get("c1.conv.weight").data(), c.get("c1.conv.weight").data()));
  }

  @Test
  void learnsTheToyTaskAndWritesMetrics(@TempDir Path dir) throws IOException {
    try (GraphNetwork net = new GraphNetwork(BACKEND, IrBuilder.chain(), 3)) {
      TrainingLoop.Options o = new TrainingLoop.Options(8, 50, 42, dir, false, null, null);
      TrainingLoop.Result r = new TrainingLoop(net, new ScheduleControl(SCHEDULE, 3), new ScheduleIr.Sgd(0.1, 0.9, 5e-4), TRAIN, TEST, o, QUIET).run(null);
      assertTrue(r.lastTest().top1() > 0.9, "test top-1 " + r.lastTest().top1());
      assertEquals(3, r.epochs());
    }
    List<String> lines = Files.readAllLines(dir.resolve("metrics.csv"));
    assertEquals(MetricsCsv.HEADER, lines.getFirst());
    assertEquals(4, lines.size());
    assertTrue(lines.get(3).startsWith("3,plain,0.00500000,0.00000,"), lines.get(3));
    java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(dir.resolve("metrics.png").toFile());
    assertEquals(1000, png.getWidth());
    assertEquals(380 + 320 + 320, png.getHeight(), "a plain run: loss, top-1 and lr panels, no utilization panel");
  }

  @Test
  void rejuvenationReplansTheNetworkAndWritesTheReports(@TempDir Path dir) throws IOException {
    List<TrainState> saved = new ArrayList<>();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (GraphNetwork net = new GraphNetwork(BACKEND, IrBuilder.chain(), 1)) {
      TrainingLoop.Options o = new TrainingLoop.Options(32, 50, 42, dir, false, w -> "network chain # " + w + "\n", (s, f) -> saved.add(s));
      TrainingLoop.Result r =
          new TrainingLoop(net, new FakeRejuvenation(0, 3, false, null), SGD, TRAIN, TEST, o, new PrintStream(log)).run(null);
      assertTrue(r.rejuvenated());
      assertEquals(NetFixturesAccess.MIXED_WIDTHS, net.widths());
      assertNotNull(net.layout());
    }
    assertEquals("network chain # [6, 9, 8]\n", Files.readString(dir.resolve("network.nr")));
    assertEquals("{\"expand_rate\": 1.5}\n", Files.readString(dir.resolve("rejuvenation.json")));
    assertTrue(log.toString().contains("c0  2/4  6"), log.toString());
    // The checkpoint after the rejuvenating epoch holds the new widths and a fresh optimiser.
    assertEquals(NetFixturesAccess.MIXED_WIDTHS, saved.get(0).widths());
    assertTrue(saved.get(0).momentum().asMap().isEmpty());
    List<String> lines = Files.readAllLines(dir.resolve("metrics.csv"));
    String[] sparse = lines.get(1).split(",", -1);
    String[] mixed = lines.get(2).split(",", -1);
    assertEquals("sparse", sparse[1]);
    assertEquals("", sparse[9]);
    assertEquals("mixed", mixed[1]);
    assertFalse(mixed[9].isEmpty() || mixed[10].isEmpty(), lines.get(2));
  }

  @Test
  void compressOnlyStopsRightAfterRejuvenationWithACheckpoint(@TempDir Path dir) throws IOException {
    List<TrainState> saved = new ArrayList<>();
    HostParams p = run(new FakeRejuvenation(1, 5, true, null), null, dir, saved, 1);
    assertEquals(2, saved.size());
    assertEquals(2, saved.get(1).nextEpoch());
    assertEquals(NetFixturesAccess.MIXED_WIDTHS, saved.get(1).widths());
    assertBitIdentical(p, saved.get(1).params());
  }

  @Test
  void resumeInTheMixedPhaseIsBitIdentical() throws IOException {
    HostParams straight = run(new FakeRejuvenation(0, 3, false, null), null, null, new ArrayList<>(), 1);
    List<TrainState> saved = new ArrayList<>();
    run(new FakeRejuvenation(0, 2, false, null), null, Files.createTempDirectory("nrj"), saved, 1);
    TrainState afterTwo = saved.get(1);
    assertEquals(2, afterTwo.nextEpoch());
    HostParams resumed =
        run(new FakeRejuvenation(0, 3, false, afterTwo.nrState()), afterTwo, null, new ArrayList<>(), 7);
    assertBitIdentical(straight, resumed);
  }

  /**
   * Issue 5: resuming a real NR run (the engine, not a fake) from the checkpoint of a sparse epoch, of
   * the epoch right after rejuvenation, and of a mixed epoch all end in the uninterrupted run's bits.
   */
  @Test
  void resumeInEveryPhaseOfARealNrRunIsBitIdentical() throws IOException {
    NrSettings nr =
        new NrSettings(
            new NrSettings.FixedSparsity(0.02), 0.9, NrSettings.Measure.PARAMS, 0.01, 1e-3,
            NrSettings.ExpandRule.SQRT, 0.5, NrSettings.CrossMode.REMOVED, 0, NrSettings.BnRestoreMode.QUIRK, false);
    ScheduleIr s =
        new ScheduleIr(
            "nr", 3, 32, 50, SGD, List.of(2), 0.1, ScheduleIr.Augment.NONE, ScheduleIr.Normalize.NONE, null,
            ScheduleIr.Precision.FP32, nr, SourceLocation.UNKNOWN);
    List<TrainState> saved = new ArrayList<>();
    HostParams straight =
        run(new EngineControl(new NrEngine(IrBuilder.chain(), s)), null, Files.createTempDirectory("nrj"), saved, 1);
    int firstMixed = 0;
    while (firstMixed < saved.size() && saved.get(firstMixed).layout() == null) firstMixed++;
    assertTrue(firstMixed >= 1 && firstMixed + 2 < saved.size(), "sparse, rejuvenated and mixed epochs: " + firstMixed);
    for (int k : new int[] {firstMixed - 1, firstMixed, firstMixed + 1}) {
      TrainState from = saved.get(k);
      HostParams resumed =
          run(new EngineControl(NrEngine.restore(IrBuilder.chain(), s, from.nrState())), from, null, new ArrayList<>(), 99);
      assertBitIdentical(straight, resumed);
    }
  }
}
