package io.nrj.runtime.model;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.runtime.Backend;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link TrainableNetwork} for any {@link NetworkIr}, built by walking its nodes: one layer per
 * node, and forward passes activations along the IR's edges. It is the reference the generated
 * trainers are checked against and what {@code nrj grad} and the tests use; it is not specialised
 * for speed (the per-node dispatch is negligible next to the convolutions).
 */
public final class GraphNetwork extends LayerNetwork {
  private Layer[] byId;

  /** Builds the network at its declared widths with weights initialised from {@code seed}. */
  public GraphNetwork(Backend backend, NetworkIr ir, long seed) {
    super(backend, ir);
    start(seed);
  }

  @Override
  protected List<Layer> createLayers() {
    List<IrNode> nodes = ir().nodes();
    byId = new Layer[nodes.size()];
    List<Layer> layers = new ArrayList<>();
    for (IrNode node : nodes) {
      byId[node.id()] = layerFor(node);
      layers.add(byId[node.id()]);
    }
    return layers;
  }

  @Override
  protected void forwardLayers(Activation image, boolean train) {
    List<IrNode> nodes = ir().nodes();
    Activation[] acts = new Activation[nodes.size()];
    for (IrNode node : nodes) {
      List<Integer> ins = node.inputs();
      Activation[] xs = new Activation[ins.size()];
      for (int i = 0; i < xs.length; i++) xs[i] = ins.get(i) == IrNode.IMAGE ? image : acts[ins.get(i)];
      Layer layer = byId[node.id()];
      acts[node.id()] =
          switch (layer) {
            case ConvBnLayer c -> c.forward(xs[0], train);
            case PoolLayer p -> p.forward(xs[0], train);
            case ReluLayer r -> r.forward(xs[0], train);
            case AddLayer a -> a.forward(xs);
            case ConcatLayer c -> c.forward(xs);
            case ClassifierLayer c -> {
              c.forward(xs[0], train);
              yield null;
            }
            default -> throw new IllegalStateException("unknown layer " + layer.getClass());
          };
    }
  }
}
