package io.nrj.runtime.checkpoint;

import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.runtime.io.Json;
import io.nrj.runtime.nr.MixedLayout;
import io.nrj.runtime.train.Checkpointer;
import io.nrj.runtime.train.TrainState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts between the training loop's {@link TrainState} and a {@link Checkpoint}: the run's fixed
 * facts (source, names, seed, SGD settings) come from a {@link Run}; the mixed layout and the best
 * top-1 travel as {@code extra.layout} (JSON, absent before rejuvenation) and {@code
 * extra.best_top1}.
 */
public final class TrainCheckpoints {
  static final String LAYOUT = "layout";
  static final String BEST_TOP1 = "best_top1";

  private TrainCheckpoints() {}

  /** What stays fixed during a run and goes into every checkpoint. */
  public record Run(String nrSource, String network, String schedule, long seed, ScheduleIr.Sgd sgd) {}

  /** A {@link Checkpointer} writing {@code run}'s checkpoints atomically. */
  public static Checkpointer checkpointer(Run run) {
    return (state, file) -> toCheckpoint(run, state).write(file);
  }

  /**
   * The checkpoint of {@code state}. The optimizer entry holds the schedule's base SGD settings;
   * {@code step} counts the current optimiser's steps (restored on resume).
   */
  public static Checkpoint toCheckpoint(Run run, TrainState state) {
    LinkedHashMap<String, String> extra = new LinkedHashMap<>();
    extra.put(BEST_TOP1, Double.toString(state.bestTop1()));
    if (state.layout() != null) extra.put(LAYOUT, layoutJson(state.layout()));
    ScheduleIr.Sgd sgd = run.sgd();
    return new Checkpoint(
        run.nrSource(), run.network(), run.schedule(), state.widths(), state.nextEpoch(), run.seed(),
        new Checkpoint.OptimizerState(sgd.lr(), sgd.momentum(), sgd.weightDecay(), state.steps()), state.nrState(), extra,
        state.params(), state.momentum());
  }

  /** The loop's state from a checkpoint read from {@code file} (named in errors). */
  public static TrainState toTrainState(Path file, Checkpoint c) {
    String best = c.extra().get(BEST_TOP1);
    double bestTop1;
    try {
      bestTop1 = best == null ? Double.NaN : Double.parseDouble(best);
    } catch (NumberFormatException e) {
      throw new CheckpointException(file, "metadata 'extra.best_top1' is not a number: '" + best + "'");
    }
    String layout = c.extra().get(LAYOUT);
    MixedLayout l = layout == null ? null : parseLayout(file, layout);
    if (l != null && l.convs().size() != c.widths().size()) {
      throw new CheckpointException(
          file, "metadata 'extra.layout' has " + l.convs().size() + " convs but the widths table " + c.widths().size());
    }
    return new TrainState(
        c.epoch(), c.widths(), l, c.model(), c.momentum(), c.optimizer().step(), c.nrState(), bestTop1);
  }

  /** The layout as JSON: {@code {"convs":[[liveIn,liveOut,split,deleted],...],"classifier_live_in":n,"cross":"REMOVED"}}. */
  public static String layoutJson(MixedLayout layout) {
    List<Object> convs = new ArrayList<>();
    for (MixedLayout.ConvSplit s : layout.convs()) convs.add(List.of(s.liveIn(), s.liveOut(), s.split(), s.deleted()));
    LinkedHashMap<String, Object> m = new LinkedHashMap<>();
    m.put("convs", convs);
    m.put("classifier_live_in", layout.classifierLiveIn());
    m.put("cross", layout.cross().name());
    return Json.write(m);
  }

  /** Parses {@link #layoutJson}; a malformed layout is a {@link CheckpointException}. */
  public static MixedLayout parseLayout(Path file, String json) {
    try {
      if (Json.parse(json) instanceof Map<?, ?> m
          && m.get("convs") instanceof List<?> convs
          && m.get("classifier_live_in") instanceof Long liveIn
          && m.get("cross") instanceof String cross) {
        List<MixedLayout.ConvSplit> splits = new ArrayList<>();
        for (Object o : convs) {
          if (!(o instanceof List<?> e && e.size() == 4 && e.get(0) instanceof Long li && e.get(1) instanceof Long lo
              && e.get(2) instanceof Boolean split && e.get(3) instanceof Boolean deleted)) {
            throw new IllegalArgumentException("bad conv entry " + Json.write(o));
          }
          splits.add(new MixedLayout.ConvSplit(Math.toIntExact(li), Math.toIntExact(lo), split, deleted));
        }
        return new MixedLayout(splits, Math.toIntExact(liveIn), CrossMode.valueOf(cross));
      }
      throw new IllegalArgumentException("expected {\"convs\", \"classifier_live_in\", \"cross\"}");
    } catch (IllegalArgumentException | ArithmeticException | Json.JsonException e) {
      throw new CheckpointException(file, "metadata 'extra.layout' is not a valid layout: " + e.getMessage(), e);
    }
  }
}
