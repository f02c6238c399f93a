package io.nrj.dsl.ir;

import io.nrj.dsl.SourceLocation;
import java.util.ArrayList;
import java.util.List;

/**
 * A resolved network: a DAG of {@link IrNode}s in topological order with shapes inferred at the
 * declared widths. The last node is the {@link IrNode.Classifier}. Immutable.
 */
public record NetworkIr(
    String name, Shape input, int classes, List<IrNode> nodes, InitScheme init, SourceLocation location) {
  public NetworkIr {
    nodes = List.copyOf(nodes);
  }

  /** The NR convolutions in widths-table order. */
  public List<IrNode.Conv> convs() {
    List<IrNode.Conv> convs = new ArrayList<>();
    for (IrNode n : nodes) if (n instanceof IrNode.Conv c) convs.add(c);
    convs.sort((a, b) -> Integer.compare(a.convIndex(), b.convIndex()));
    return convs;
  }

  public IrNode.Classifier classifier() {
    return (IrNode.Classifier) nodes.getLast();
  }

  /** The declared widths: every conv's output channels. */
  public Widths widths() {
    List<IrNode.Conv> convs = convs();
    int[] w = new int[convs.size()];
    for (IrNode.Conv c : convs) w[c.convIndex()] = c.outChannels();
    return new Widths(w);
  }

  /**
   * Output shape of every node (indexed by id) for another widths table. Spatial sizes never change;
   * channels follow the same rules the resolver used: conv = its width, ReLU/pools pass through, Add
   * takes the width of its first input with a non-zero width (spec §12 B1), Concat sums, and the
   * classifier has {@code classes}.
   */
  public Shape[] shapes(Widths widths) {
    Shape[] out = new Shape[nodes.size()];
    for (IrNode n : nodes) {
      int c =
          switch (n) {
            case IrNode.Conv conv -> widths.get(conv.convIndex());
            case IrNode.Relu r -> channels(out, r.inputs().getFirst());
            case IrNode.MaxPool p -> channels(out, p.inputs().getFirst());
            case IrNode.AvgPool p -> channels(out, p.inputs().getFirst());
            case IrNode.Add a -> {
              int w = 0;
              for (int i : a.inputs()) if ((w = channels(out, i)) > 0) break;
              yield w;
            }
            case IrNode.Concat cat -> {
              int w = 0;
              for (int i : cat.inputs()) w += channels(out, i);
              yield w;
            }
            case IrNode.Classifier cls -> cls.classes();
          };
      out[n.id()] = n.out().withChannels(c);
    }
    return out;
  }

  private int channels(Shape[] out, int input) {
    return input == IrNode.IMAGE ? this.input.channels() : out[input].channels();
  }
}
