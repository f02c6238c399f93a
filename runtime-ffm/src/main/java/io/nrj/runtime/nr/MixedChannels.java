package io.nrj.runtime.nr;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.Shape;
import io.nrj.dsl.ir.Widths;

/**
 * The [survivors | new] split of every node's output in a rejuvenated network (spec §6.1), derived
 * from the IR and a {@link MixedLayout}: conv = its liveOut (0 when deleted); ReLU and pools pass;
 * a residual sum takes the split of its first input with a non-zero width (branch 0 unless it was
 * deleted, spec §12 B1); a concatenation sums its inputs' survivors. The image is all survivors.
 *
 * <p>Channel order of a concatenation after rejuvenation: the survivor parts of its inputs in input
 * order, then the new parts in input order ({@code [s0 s1 .. | n0 n1 ..]}), as the authors'
 * rejuvenated JoinList builds it. The consumer's surviving weight columns follow that order.
 */
public final class MixedChannels {
  private final int[] survivors; // by node id
  private final int[] width; // by node id

  private MixedChannels(int[] survivors, int[] width) {
    this.survivors = survivors;
    this.width = width;
  }

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
            case IrNode.Classifier cls -> layout.classifierLiveIn();
          };
    }
    return new MixedChannels(surv, width);
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
}
