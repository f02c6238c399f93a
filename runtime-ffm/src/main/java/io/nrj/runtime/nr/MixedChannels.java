package io.nrj.runtime.nr;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.Shape;
import io.nrj.dsl.ir.Widths;
import java.util.ArrayList;
import java.util.List;

/**
 * The [survivors | new] split of every node's output in a rejuvenated network (spec §6.1), derived
 * from the IR and a {@link MixedLayout}: conv = its liveOut (0 when deleted); ReLU and pools pass;
 * a residual sum takes the split of its first input with a non-zero width (branch 0 unless it was
 * deleted, spec §12 B1); a concatenation sums its inputs' survivors. The image is all survivors.
 * Without a layout (a network never rejuvenated) every channel is a survivor.
 *
 * <p>Channel order of a concatenation after rejuvenation ({@link #concatOrder}): the survivor parts
 * of its inputs in input order, then the new parts in input order ({@code [s0 s1 .. | n0 n1 ..]}),
 * as the authors' rejuvenated JoinList builds it (spec §5.3). The surgery copies the consumer's
 * surviving weight columns to its first columns in that order (spec §5.2), and the split conv and
 * the classifier take the first channels as the survivors, so every part of nrj that joins a
 * concatenation (the runtime's layers, bn_restore, the exporters) follows this one order. Before
 * rejuvenation it is plain input order.
 */
public final class MixedChannels {
  private final NetworkIr ir;
  private final int[] survivors; // by node id
  private final int[] width; // by node id

  private MixedChannels(NetworkIr ir, int[] survivors, int[] width) {
    this.ir = ir;
    this.survivors = survivors;
    this.width = width;
  }

  /** The split at {@code widths}; {@code layout} null: never rejuvenated, all channels survivors. */
  public static MixedChannels of(NetworkIr ir, Widths widths, MixedLayout layout) {
    Shape[] shapes = ir.shapes(widths);
    int n = ir.nodes().size();
    int[] surv = new int[n];
    int[] width = new int[n];
    int image = ir.input().channels();
    for (IrNode node : ir.nodes()) {
      int id = node.id();
      width[id] = shapes[id].channels();
      surv[id] =
          switch (node) {
            case IrNode.Conv c -> {
              if (layout == null) yield width[id];
              MixedLayout.ConvSplit s = layout.convs().get(c.convIndex());
              yield s.deleted() ? 0 : s.liveOut();
            }
            case IrNode.Relu r -> at(surv, image, r.inputs().getFirst());
            case IrNode.MaxPool p -> at(surv, image, p.inputs().getFirst());
            case IrNode.AvgPool p -> at(surv, image, p.inputs().getFirst());
            case IrNode.Add a -> {
              int s = 0;
              for (int i : a.inputs()) {
                if (at(width, image, i) > 0) {
                  s = at(surv, image, i);
                  break;
                }
              }
              yield s;
            }
            case IrNode.Concat cat -> {
              int s = 0;
              for (int i : cat.inputs()) s += at(surv, image, i);
              yield s;
            }
            case IrNode.Classifier cls ->
                layout == null ? at(width, image, cls.inputs().getFirst()) : layout.classifierLiveIn();
          };
    }
    return new MixedChannels(ir, surv, width);
  }

  private static int at(int[] v, int image, int id) {
    return id == IrNode.IMAGE ? image : v[id];
  }

  /** Survivor channels of a node's output (the first ones); for the classifier, its live inputs. */
  public int survivors(int nodeId) {
    return survivors[nodeId];
  }

  /** Channels of a node's output after rejuvenation; for the classifier, its class count. */
  public int width(int nodeId) {
    return width[nodeId];
  }

  /** New channels of a node's output (the last ones). */
  public int fresh(int nodeId) {
    return width[nodeId] - survivors[nodeId];
  }

  /**
   * Channels {@code [from, to)} of input number {@code input} (its position in the concatenation's
   * input list) of a concatenation.
   */
  public record Run(int input, int from, int to) {
    public int length() {
      return to - from;
    }
  }

  /**
   * How concatenation {@code cat}'s output (N, sum of the inputs' channels, H, W) is made from its
   * inputs, as runs of channels in output order: the survivor part of each input in input order,
   * then the new part of each ([s0 s1 .. | n0 n1 ..], spec §5.3); plain input order before
   * rejuvenation. Empty runs (a deleted input, an input without new channels) are left out.
   *
   * @throws IllegalArgumentException when the layout gives an input more survivors than channels
   */
  public List<Run> concatOrder(IrNode.Concat cat) {
    List<Integer> ins = cat.inputs();
    int image = ir.input().channels();
    List<Run> runs = new ArrayList<>();
    for (int pass = 0; pass < 2; pass++) {
      for (int i = 0; i < ins.size(); i++) {
        int c = at(width, image, ins.get(i));
        int s = at(survivors, image, ins.get(i));
        if (s < 0 || s > c) {
          throw new IllegalArgumentException(
              "the mixed layout gives input " + name(ins.get(i)) + " of concatenation '" + cat.name() + "' " + s
                  + " survivor channels of " + c);
        }
        int from = pass == 0 ? 0 : s;
        int to = pass == 0 ? s : c;
        if (to > from) runs.add(new Run(i, from, to));
      }
    }
    return List.copyOf(runs);
  }

  /**
   * Whether {@code cat}'s order after rejuvenation differs from plain input order: some input has
   * new channels and a later input has survivors, so that a run of an earlier input follows a run
   * of a later one.
   */
  public boolean reorders(IrNode.Concat cat) {
    List<Run> runs = concatOrder(cat);
    for (int r = 1; r < runs.size(); r++) {
      if (runs.get(r).input() < runs.get(r - 1).input()) return true;
    }
    return false;
  }

  private String name(int id) {
    return id == IrNode.IMAGE ? "the image" : "'" + ir.nodes().get(id).name() + "'";
  }
}
