package io.nrj.runtime.checkpoint;

import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.dsl.ir.ScheduleIr;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nrj.runtime.io.JsonCodec;
import io.nrj.runtime.nr.MixedLayout;
import io.nrj.runtime.train.Checkpointer;
import io.nrj.runtime.train.TrainState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Converts between the training loop's {@link TrainState} and a {@link Checkpoint}: the run's fixed
 * facts (source, names, seed, SGD settings) come from a {@link Run}; the mixed layout and the best
 * top-1 travel as {@code extra.layout} (JSON, absent before rejuvenation) and {@code
 * extra.best_top1}.
 */
public final class TrainCheckpoints {
  static final String LAYOUT = "layout";
  static final String BEST_TOP1 = "best_top1";
  /** The planned length of the run ({@code extra.epochs}), which a resume with {@code --epochs} changes. */
  public static final String EPOCHS = "epochs";

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
    ObjectNode m = JsonCodec.object();
    ArrayNode convs = m.putArray("convs");
    for (MixedLayout.ConvSplit s : layout.convs()) {
      convs.addArray().add(s.liveIn()).add(s.liveOut()).add(s.split()).add(s.deleted());
    }
    m.put("classifier_live_in", layout.classifierLiveIn());
    m.put("cross", layout.cross().name());
    return JsonCodec.write(m);
  }

  /** Parses {@link #layoutJson}; a malformed layout is a {@link CheckpointException}. */
  public static MixedLayout parseLayout(Path file, String json) {
    try {
      JsonNode m = JsonCodec.parse(json);
      if (m.path("convs").isArray() && isInt(m.path("classifier_live_in")) && m.path("cross").isTextual()) {
        List<MixedLayout.ConvSplit> splits = new ArrayList<>();
        for (JsonNode e : m.get("convs")) {
          if (!(e.isArray() && e.size() == 4 && isInt(e.get(0)) && isInt(e.get(1)) && e.get(2).isBoolean()
              && e.get(3).isBoolean())) {
            throw new IllegalArgumentException("bad conv entry " + e);
          }
          splits.add(new MixedLayout.ConvSplit(e.get(0).intValue(), e.get(1).intValue(), e.get(2).booleanValue(), e.get(3).booleanValue()));
        }
        return new MixedLayout(splits, m.get("classifier_live_in").intValue(), CrossMode.valueOf(m.get("cross").textValue()));
      }
      throw new IllegalArgumentException("expected {\"convs\", \"classifier_live_in\", \"cross\"}");
    } catch (IllegalArgumentException | JsonCodec.MalformedJsonException e) {
      throw new CheckpointException(file, "metadata 'extra.layout' is not a valid layout: " + e.getMessage(), e);
    }
  }

  private static boolean isInt(JsonNode n) {
    return n.isIntegralNumber() && n.canConvertToInt() && n.intValue() >= 0;
  }
}
