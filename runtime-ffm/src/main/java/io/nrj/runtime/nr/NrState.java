package io.nrj.runtime.nr;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.dsl.ir.Widths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
    StringBuilder b = new StringBuilder("{");
    b.append("\"version\":").append(VERSION);
    b.append(",\"phase\":").append(JsonFields.quote(phase.name()));
    b.append(",\"lambda\":").append(JsonFields.number(lambda));
    b.append(",\"u_old\":").append(JsonFields.number(uOld));
    b.append(",\"epochs\":").append(epochs);
    b.append(",\"milestones\":").append(ints(milestones));
    b.append(",\"all_dead\":").append(ints(allDead));
    b.append(",\"widths\":").append(ints(toList(widths.toArray())));
    b.append(",\"after_epoch\":").append(afterEpoch);
    b.append(",\"expand_rate\":").append(JsonFields.number(expandRate));
    b.append(",\"bn_restore_done\":").append(bnRestoreDone);
    b.append(",\"layout\":");
    if (layout == null) {
      b.append("null");
    } else {
      b.append("{\"cross\":").append(JsonFields.quote(layout.cross().name()));
      b.append(",\"classifier_live_in\":").append(layout.classifierLiveIn());
      b.append(",\"convs\":[");
      for (int i = 0; i < layout.convs().size(); i++) {
        MixedLayout.ConvSplit s = layout.convs().get(i);
        if (i > 0) b.append(',');
        b.append("{\"live_in\":").append(s.liveIn());
        b.append(",\"live_out\":").append(s.liveOut());
        b.append(",\"split\":").append(s.split());
        b.append(",\"deleted\":").append(s.deleted()).append('}');
      }
      b.append("]}");
    }
    return b.append('}').toString();
  }

  /**
   * Parses {@link #toJson()} for {@code ir}.
   *
   * @param stepsSinceRejuvenation optimiser steps since the surgery (a checkpoint's step count,
   *     which restarts at rejuvenation; {@link Long#MAX_VALUE} when unknown): a version-1 state
   *     whose concatenations would reorder is refused unless it is 0 (see the class comment)
   */
  static NrState read(String json, NetworkIr ir, long stepsSinceRejuvenation) {
    Map<String, Object> m = JsonFields.obj(JsonFields.parse(json, WHAT), WHAT);
    int version = JsonFields.integer(m, "version", WHAT);
    if (version < PLAIN_CONCAT_VERSION || version > VERSION) {
      throw new IllegalArgumentException(
          WHAT + ": version " + version + ", this nrj reads " + PLAIN_CONCAT_VERSION + " to " + VERSION);
    }
    NrEngine.Phase phase = enumValue(NrEngine.Phase.class, JsonFields.str(m, "phase", WHAT), "phase");
    int convs = ir.convs().size();
    Widths widths = new Widths(JsonFields.ints(m, "widths", WHAT));
    if (widths.size() != convs) {
      throw new IllegalArgumentException(
          WHAT + ": " + widths.size() + " widths for network '" + ir.name() + "' with " + convs + " convs");
    }
    MixedLayout layout = null;
    Object l = JsonFields.field(m, "layout", WHAT);
    if (l != null) {
      Map<String, Object> lm = JsonFields.obj(l, WHAT + " layout");
      List<MixedLayout.ConvSplit> splits = new ArrayList<>();
      for (Object o : JsonFields.list(lm, "convs", WHAT)) {
        Map<String, Object> c = JsonFields.obj(o, WHAT + " layout conv");
        splits.add(
            new MixedLayout.ConvSplit(
                JsonFields.integer(c, "live_in", WHAT), JsonFields.integer(c, "live_out", WHAT),
                JsonFields.bool(c, "split", WHAT), JsonFields.bool(c, "deleted", WHAT)));
      }
      if (splits.size() != convs) {
        throw new IllegalArgumentException(
            WHAT + ": layout has " + splits.size() + " convs, network '" + ir.name() + "' " + convs);
      }
      layout =
          new MixedLayout(
              splits,
              JsonFields.integer(lm, "classifier_live_in", WHAT),
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
    List<Integer> allDead = toList(JsonFields.ints(m, "all_dead", WHAT));
    for (int i : allDead) {
      if (i < 0 || i >= convs) throw new IllegalArgumentException(WHAT + ": all_dead index " + i + " out of range");
    }
    return new NrState(
        phase,
        JsonFields.num(m, "lambda", WHAT),
        JsonFields.num(m, "u_old", WHAT),
        JsonFields.integer(m, "epochs", WHAT),
        toList(JsonFields.ints(m, "milestones", WHAT)),
        allDead,
        widths,
        layout,
        JsonFields.integer(m, "after_epoch", WHAT),
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

  private static String ints(List<Integer> v) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < v.size(); i++) b.append(i > 0 ? "," : "").append(v.get(i));
    return b.append(']').toString();
  }

  private static List<Integer> toList(int[] v) {
    List<Integer> l = new ArrayList<>(v.length);
    for (int x : v) l.add(x);
    return l;
  }
}
