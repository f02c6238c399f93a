package io.nrj.dsl;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.Shape;
import io.nrj.dsl.ir.Widths;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts a network's resources exactly in 64-bit integers (spec §4, §8.8):
 *
 * <ul>
 *   <li>{@code params}: what the authors' scripts print: conv weights, BN gamma and beta, classifier
 *       weights and bias (running statistics are buffers, not parameters);
 *   <li>{@code convWeights}: weights of NR convolutions, {@code Cin*Cout*k*k} (the utilization
 *       denominator in parameters);
 *   <li>{@code convMacs}: their multiply-accumulates at the input resolution,
 *       {@code Cin*Cout*k*k*Hout*Wout} (the denominator in FLOPs; no factor 2, no BN, no classifier).
 * </ul>
 *
 * Overflow throws ArithmeticException; the resolver rejects networks where that could happen.
 */
public final class Counter {
  private Counter() {}

  /** One node's share. Nodes without parameters (ReLU, pools, sums) count 0. */
  public record LayerCount(String name, String kind, Shape in, Shape out, long params, long convWeights, long convMacs) {}

  /** A network's totals and per-node counts (in node order). */
  public record Counts(String network, long params, long convWeights, long convMacs, List<LayerCount> layers) {
    public Counts {
      layers = List.copyOf(layers);
    }
  }

  /** Counts at the declared widths. */
  public static Counts count(NetworkIr ir) {
    return count(ir, ir.widths());
  }

  /** Counts at other widths (for example after rejuvenation); spatial sizes do not change. */
  public static Counts count(NetworkIr ir, Widths widths) {
    Shape[] shapes = ir.shapes(widths);
    List<LayerCount> layers = new ArrayList<>();
    long params = 0;
    long weights = 0;
    long macs = 0;
    for (IrNode n : ir.nodes()) {
      int input = n.inputs().getFirst();
      Shape in = input == IrNode.IMAGE ? ir.input() : shapes[input];
      Shape out = shapes[n.id()];
      long p = 0;
      long w = 0;
      long m = 0;
      switch (n) {
        case IrNode.Conv c -> {
          w = Math.multiplyExact(Math.multiplyExact((long) in.channels(), out.channels()), (long) c.kernel() * c.kernel());
          m = Math.multiplyExact(w, (long) out.height() * out.width());
          p = Math.addExact(w, 2L * out.channels()); // + BN gamma and beta
        }
        case IrNode.Classifier k ->
            p = Math.addExact(Math.multiplyExact((long) in.channels(), k.classes()), k.classes());
        default -> {}
      }
      params = Math.addExact(params, p);
      weights = Math.addExact(weights, w);
      macs = Math.addExact(macs, m);
      layers.add(new LayerCount(n.name(), kind(n), in, out, p, w, m));
    }
    return new Counts(ir.name(), params, weights, macs, layers);
  }

  /** The keyword of a node's kind, as the language writes it. */
  public static String kind(IrNode n) {
    return switch (n) {
      case IrNode.Conv c -> "conv";
      case IrNode.Relu r -> "relu";
      case IrNode.MaxPool p -> "maxpool";
      case IrNode.AvgPool p -> "avgpool";
      case IrNode.Add a -> "add";
      case IrNode.Concat c -> "concat";
      case IrNode.Classifier c -> "classifier";
    };
  }
}
