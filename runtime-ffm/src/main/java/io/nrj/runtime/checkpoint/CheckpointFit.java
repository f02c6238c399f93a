package io.nrj.runtime.checkpoint;

import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.runtime.model.ParamShapes;
import io.nrj.runtime.nr.MixedLayout;
import io.nrj.runtime.nr.NrEngine;
import io.nrj.runtime.train.TrainState;
import java.nio.file.Path;
import java.util.Objects;
import java.util.SequencedMap;

/**
 * A checkpoint checked against the network it is about to be loaded into: the one validation path
 * of {@code nrj eval}, {@code nrj export} and {@code nrj train --resume}, after {@link
 * Checkpoint#read} has checked the file on its own. Every rule that needs the network is here: the
 * network's name, a widths table with one entry per conv, an NR state that fits the network and the
 * schedule and agrees with the widths and the stored layout, epochs within the run's, and exactly the
 * network's tensors with its shapes at those widths. A failure is a {@link CheckpointException}
 * naming the file, the field or tensor, and the rule; nothing is allocated before it passes.
 *
 * @param engine the restored NR engine, or null when there is no schedule to restore it for
 * @param layout the mixed layout after rejuvenation, or null before (and without a schedule)
 */
public record CheckpointFit(
    Path file, Checkpoint checkpoint, NetworkIr ir, ScheduleIr schedule, NrEngine engine, MixedLayout layout) {

  /** Validates {@code c}, read from {@code file}, for network {@code ir} trained with {@code schedule} (null: none). */
  public static CheckpointFit check(Path file, Checkpoint c, NetworkIr ir, ScheduleIr schedule) {
    if (!c.network().equals(ir.name())) {
      throw new CheckpointException(file, "checkpoint is for network '" + c.network() + "', not '" + ir.name() + "'");
    }
    int convs = ir.convs().size();
    if (c.widths().size() != convs) {
      throw new CheckpointException(
          file, "metadata 'widths' has " + c.widths().size() + " entries but network '" + ir.name() + "' has " + convs + " convs");
    }
    NrEngine engine = null;
    MixedLayout layout = null;
    if (schedule != null) {
      try {
        engine = NrEngine.restore(ir, schedule, c.nrState(), c.optimizer().step());
      } catch (IllegalArgumentException | ArithmeticException e) {
        throw new CheckpointException(file, "metadata 'nr_state' does not fit network '" + ir.name() + "': " + e.getMessage(), e);
      }
      if (!engine.widths().equals(c.widths())) {
        throw new CheckpointException(
            file, "metadata 'widths' " + c.widths() + " differ from the NR state's " + engine.widths());
      }
      if (c.epoch() > engine.totalEpochs()) {
        throw new CheckpointException(
            file, "metadata 'epoch' is " + c.epoch() + " but the run has " + engine.totalEpochs() + " epochs (NR state 'epochs')");
      }
      String recorded = c.extra().get(TrainCheckpoints.EPOCHS);
      int planned = recorded == null ? 0 : plannedEpochs(file, recorded);
      if (planned > engine.totalEpochs()) {
        throw new CheckpointException(
            file, "metadata 'extra.epochs' is " + planned + " but the run has " + engine.totalEpochs() + " epochs (NR state 'epochs')");
      }
      layout = engine.layout();
    }
    TrainState state = TrainCheckpoints.toTrainState(file, c);
    if (engine != null && !Objects.equals(state.layout(), layout)) {
      throw new CheckpointException(file, "metadata 'extra.layout' differs from the NR state's layout");
    }
    SequencedMap<String, int[]> expected;
    try {
      expected = ParamShapes.of(ir, c.widths());
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(file, "metadata 'widths' " + c.widths() + " do not fit network '" + ir.name() + "': " + e.getMessage(), e);
    }
    c.checkMatches(file, ir.name(), c.widths(), expected);
    return new CheckpointFit(file, c, ir, schedule, engine, layout);
  }

  /** The planned length of the run a checkpoint records ({@code extra.epochs}): a positive integer. */
  public static int plannedEpochs(Path file, String value) {
    try {
      int n = Integer.parseInt(value);
      if (n >= 1) return n;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new CheckpointException(file, "metadata 'extra.epochs' is '" + value + "'; it must be a positive integer");
  }

  /** The training loop's state at this checkpoint. */
  public TrainState trainState() {
    return TrainCheckpoints.toTrainState(file, checkpoint);
  }
}
