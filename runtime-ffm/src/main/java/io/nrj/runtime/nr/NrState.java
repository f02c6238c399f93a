package io.nrj.runtime.nr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.dsl.ir.Widths;
import io.nrj.runtime.io.JsonCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine's persisted state (spec §12 D1) and its JSON form. Doubles are written in their
 * shortest exact decimal form, so a resume reads back bit-identical λ and u_old.
 *
 * <p>Versions: 2 is written. It is 1 with one change of meaning: after rejuvenation, nrj joins a
 * concatenation's channels [survivor parts | new parts] (spec §5.3, {@link
 * MixedChannels#concatOrder}); nrj before version 2 joined them in plain input order, although the
 * surgery had laid the consumers' weights out survivors first. A version-1 state still reads with
 * the same meaning where that makes no difference: before rejuvenation, and after it when no
 * concatenation reorders (VGG, ResNet), or when no optimiser step has run since the surgery (a
 * checkpoint saved right at rejuvenation, such as a compress-only run's, holds the surgery's
 * tensors). Otherwise (a DenseNet trained after rejuvenation) the tensors were trained for the old
 * order, which this nrj cannot run: such a state is refused, naming the concatenation.
 */
record NrState(
    NrEngine.Phase phase,
    double lambda,
    double uOld,
    int epochs,
    List<Integer> milestones,
    List<Integer> allDead,
    Widths widths,
    MixedLayout layout,
    int afterEpoch,
    double expandRate,
    boolean bnRestoreDone) {
  static final int VERSION = 2;
  /** The last version that joined concatenations in plain input order after rejuvenation. */
  static final int PLAIN_CONCAT_VERSION = 1;
  private static final String WHAT = "NR state";

  void applyTo(NrEngine engine) {
    engine.set(this);
  }

  String toJson() {
    ObjectNode b = JsonCodec.object();
    b.put("version", VERSION);
    b.put("phase", phase.name());
    b.put("lambda", JsonCodec.finite(lambda));
    b.put("u_old", JsonCodec.finite(uOld));
    b.put("epochs", epochs);
    b.set("milestones", ints(milestones));
    b.set("all_dead", ints(allDead));
    b.set("widths", JsonCodec.array(widths.toArray()));
    b.put("after_epoch", afterEpoch);
    b.put("expand_rate", JsonCodec.finite(expandRate));
    b.put("bn_restore_done", bnRestoreDone);
    if (layout == null) {
      b.putNull("layout");
    } else {
      ObjectNode l = b.putObject("layout");
      l.put("cross", layout.cross().name());
      l.put("classifier_live_in", layout.classifierLiveIn());
      ArrayNode convs = l.putArray("convs");
      for (MixedLayout.ConvSplit s : layout.convs()) {
        convs.addObject().put("live_in", s.liveIn()).put("live_out", s.liveOut()).put("split", s.split()).put("deleted", s.deleted());
      }
    }
    return JsonCodec.write(b);
  }

  /**
   * Parses {@link #toJson()} for {@code ir}.
   *
   * @param stepsSinceRejuvenation optimiser steps since the surgery (a checkpoint's step count,
   *     which restarts at rejuvenation; {@link Long#MAX_VALUE} when unknown): a version-1 state
   *     whose concatenations would reorder is refused unless it is 0 (see the class comment)
   */
  static NrState read(String json, NetworkIr ir, long stepsSinceRejuvenation) {
    JsonNode m = JsonFields.parseObject(json, WHAT);
    int version = JsonFields.integer(m, "version", Integer.MIN_VALUE, Integer.MAX_VALUE, WHAT);
    if (version < PLAIN_CONCAT_VERSION || version > VERSION) {
      throw new IllegalArgumentException(
          WHAT + ": version " + version + ", this nrj reads " + PLAIN_CONCAT_VERSION + " to " + VERSION);
    }
    NrEngine.Phase phase = enumValue(NrEngine.Phase.class, JsonFields.str(m, "phase", WHAT), "phase");
    int convs = ir.convs().size();
    int max = Integer.MAX_VALUE;
    Widths widths = new Widths(JsonFields.ints(m, "widths", 0, max, WHAT));
    if (widths.size() != convs) {
      throw new IllegalArgumentException(
          WHAT + ": " + widths.size() + " widths for network '" + ir.name() + "' with " + convs + " convs");
    }
    MixedLayout layout = null;
    JsonNode l = JsonFields.field(m, "layout", WHAT);
    if (!l.isNull()) {
      JsonNode lm = JsonFields.obj(l, WHAT + " layout");
      List<MixedLayout.ConvSplit> splits = new ArrayList<>();
      for (JsonNode o : JsonFields.list(lm, "convs", WHAT)) {
        JsonNode c = JsonFields.obj(o, WHAT + " layout conv");
        splits.add(
            new MixedLayout.ConvSplit(
                JsonFields.integer(c, "live_in", 0, max, WHAT), JsonFields.integer(c, "live_out", 0, max, WHAT),
                JsonFields.bool(c, "split", WHAT), JsonFields.bool(c, "deleted", WHAT)));
      }
      if (splits.size() != convs) {
        throw new IllegalArgumentException(
            WHAT + ": layout has " + splits.size() + " convs, network '" + ir.name() + "' " + convs);
      }
      layout =
          new MixedLayout(
              splits,
              JsonFields.integer(lm, "classifier_live_in", 0, max, WHAT),
              enumValue(CrossMode.class, JsonFields.str(lm, "cross", WHAT), "cross"));
    }
    if ((layout == null) == (phase == NrEngine.Phase.REJUVENATED)) {
      throw new IllegalArgumentException(WHAT + ": phase " + phase + " with" + (layout == null ? "out" : "") + " a layout");
    }
    if (layout == null && !widths.equals(ir.widths())) {
      throw new IllegalArgumentException(
          WHAT + ": widths " + widths + " differ from the network's " + ir.widths() + " before rejuvenation");
    }
    if (version == PLAIN_CONCAT_VERSION && layout != null && stepsSinceRejuvenation > 0) {
      refusePlainConcatOrder(ir, widths, layout, stepsSinceRejuvenation);
    }
    List<Integer> allDead = toList(JsonFields.ints(m, "all_dead", 0, convs - 1, WHAT));
    int epochs = JsonFields.integer(m, "epochs", 1, max, WHAT);
    return new NrState(
        phase,
        JsonFields.num(m, "lambda", WHAT),
        JsonFields.num(m, "u_old", WHAT),
        epochs,
        toList(JsonFields.ints(m, "milestones", 0, max, WHAT)),
        allDead,
        widths,
        layout,
        JsonFields.integer(m, "after_epoch", -1, epochs - 1, WHAT),
        JsonFields.num(m, "expand_rate", WHAT),
        JsonFields.bool(m, "bn_restore_done", WHAT));
  }

  /** Refuses a version-1 layout in which some concatenation's order changed (class comment). */
  private static void refusePlainConcatOrder(NetworkIr ir, Widths widths, MixedLayout layout, long steps) {
    MixedChannels mc = MixedChannels.of(ir, widths, layout);
    for (IrNode node : ir.nodes()) {
      if (node instanceof IrNode.Concat cat && mc.reorders(cat)) {
        throw new IllegalArgumentException(
            WHAT + ": version " + PLAIN_CONCAT_VERSION + " was written by an nrj that joined concatenation '"
                + cat.name() + "' in plain input order after rejuvenation, and "
                + (steps == Long.MAX_VALUE ? "the network has" : steps + " optimiser steps have")
                + " trained it that way since; this nrj joins survivor channels first (spec §5.3), so the"
                + " trained tensors cannot be read with their meaning; train again from the start");
      }
    }
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, String v, String key) {
    try {
      return Enum.valueOf(type, v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(WHAT + ": unknown " + key + " '" + v + "'");
    }
  }

  private static ArrayNode ints(List<Integer> v) {
    ArrayNode a = JsonCodec.array();
    for (int x : v) a.add(x);
    return a;
  }

  private static List<Integer> toList(int[] v) {
    List<Integer> l = new ArrayList<>(v.length);
    for (int x : v) l.add(x);
    return l;
  }
}
