package io.nrj.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.Widths;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.nr.MixedLayout;
import io.nrj.runtime.train.TrainState;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCheckpointsTest {
  @TempDir Path dir;

  static final TrainCheckpoints.Run RUN =
      new TrainCheckpoints.Run(CheckpointTest.SOURCE, "tiny", "quick", 7, new ScheduleIr.Sgd(0.1, 0.9, 1e-4));

  @Test
  void roundTripsTheLoopStateWithItsMixedLayout() throws Exception {
    MixedLayout layout = new MixedLayout(List.of(new MixedLayout.ConvSplit(1, 1, false, false)), 1, CrossMode.ATTENTION);
    HostParams mom = new HostParams().put("fc.bias", CheckpointTest.ramp(0, 3));
    TrainState s = new TrainState(4, new Widths(new int[] {2}), layout, CheckpointTest.model(), mom, 17, "{\"a\":1}", 0.625);
    Path f = dir.resolve("c.safetensors");
    TrainCheckpoints.checkpointer(RUN).save(s, f);
    Checkpoint c = Checkpoint.read(f);
    assertEquals("{\"convs\":[[1,1,false,false]],\"classifier_live_in\":1,\"cross\":\"ATTENTION\"}", c.extra().get("layout"));
    TrainState r = TrainCheckpoints.toTrainState(f, c);
    assertEquals(4, r.nextEpoch());
    assertEquals(layout, r.layout());
    assertEquals(0.625, r.bestTop1());
    assertEquals("{\"a\":1}", r.nrState());
    assertEquals(s.widths(), r.widths());
    assertArrayEquals(s.params().get("c0.conv.weight").data(), r.params().get("c0.conv.weight").data());
    assertArrayEquals(mom.get("fc.bias").data(), r.momentum().get("fc.bias").data());
    assertEquals(new Checkpoint.OptimizerState(0.1, 0.9, 1e-4, 17), c.optimizer());
    assertEquals(17, r.steps());
  }

  @Test
  void aRunBeforeRejuvenationHasNoLayout() {
    TrainState s = new TrainState(1, new Widths(new int[] {2}), null, CheckpointTest.model(), new HostParams(), 0, "{}", Double.NaN);
    Path f = dir.resolve("c.safetensors");
    TrainCheckpoints.toCheckpoint(RUN, s).write(f);
    TrainState r = TrainCheckpoints.toTrainState(f, Checkpoint.read(f));
    assertNull(r.layout());
    assertEquals(Double.NaN, r.bestTop1());
  }

  @Test
  void namesAMalformedLayout() {
    Path f = dir.resolve("c.safetensors");
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> TrainCheckpoints.parseLayout(f, "{\"convs\":[[1,1,false]],\"classifier_live_in\":1,\"cross\":\"REMOVED\"}"));
    assertEquals(f + ": metadata 'extra.layout' is not a valid layout: bad conv entry [1,1,false]", e.getMessage());
  }
}
