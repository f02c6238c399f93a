package io.nrj.runtime.model;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.Shape;
import io.nrj.dsl.ir.Widths;
import java.util.LinkedHashMap;
import java.util.SequencedMap;

/**
 * The name and shape of every tensor a network holds at given widths (conv weights, BN scale, shift
 * and running statistics, classifier weight and bias), without a backend: what a checkpoint must
 * contain before anything is allocated or uploaded. The names and shapes come from the layers
 * themselves ({@link Layer#params()}), so they cannot drift from what training writes.
 */
public final class ParamShapes {
  private ParamShapes() {}

  /**
   * @throws IllegalArgumentException when the widths do not fit the network (a classifier left
   *     without inputs)
   */
  public static SequencedMap<String, int[]> of(NetworkIr ir, Widths widths) {
    if (widths.size() != ir.convs().size()) {
      throw new IllegalArgumentException(
          widths.size() + " widths for network '" + ir.name() + "' with " + ir.convs().size() + " convs");
    }
    Shape[] shapes = ir.shapes(widths);
    SequencedMap<String, int[]> out = new LinkedHashMap<>();
    for (IrNode n : ir.nodes()) {
      int from = n.inputs().isEmpty() ? IrNode.IMAGE : n.inputs().getFirst();
      Shape in = from == IrNode.IMAGE ? ir.input() : shapes[from];
      Layer layer =
          switch (n) {
            case IrNode.Conv c -> new ConvBnLayer(c, in.channels(), widths.get(c.convIndex()), null, null);
            case IrNode.Classifier c -> new ClassifierLayer(c.name(), in, c.classes(), -1);
            default -> null;
          };
      if (layer != null) for (ParamSpec p : layer.params()) out.put(p.name(), p.shape());
    }
    return out;
  }
}
