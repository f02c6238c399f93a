package io.nrj.dsl.ir;

import io.nrj.dsl.SourceLocation;
import java.util.List;

/**
 * One node of a network's IR: a DAG in topological order. {@link #id()} is the node's index in
 * {@link NetworkIr#nodes()}; {@link #inputs()} are ids of producer nodes, with {@link #IMAGE} (-1)
 * standing for the network's input image. {@link #out()} is the output shape at the network's
 * declared widths; {@link NetworkIr#shapes(Widths)} re-infers all shapes for other widths.
 *
 * <p>{@link #name()} is a stable, PyTorch-style module path (for example {@code features.3} or
 * {@code stage2.block0.conv1}) used for checkpoint tensor names and generated field names.
 */
public sealed interface IrNode
    permits IrNode.Conv,
        IrNode.Relu,
        IrNode.MaxPool,
        IrNode.AvgPool,
        IrNode.Add,
        IrNode.Concat,
        IrNode.Classifier {
  int IMAGE = -1;

  int id();

  String name();

  List<Integer> inputs();

  Shape out();

  SourceLocation location();

  /**
   * An NR convolution: conv (no bias) + BatchNorm2d (eps 1e-5, momentum 0.1), then ReLU when
   * {@code relu}. {@code convIndex} is this conv's index in the widths table.
   *
   * @param isInput spec §3 is_input: reads the image; pruned and expanded on the output side only
   * @param fixed spec §3 is_fixed: never pruned, no L1 (explicit, or inferred: feeds a residual sum)
   * @param splitOutput spec §5.3 split_output (DenseNet convs)
   */
  record Conv(
      int id,
      String name,
      List<Integer> inputs,
      Shape in,
      Shape out,
      int convIndex,
      int kernel,
      int stride,
      int pad,
      boolean relu,
      boolean isInput,
      boolean fixed,
      boolean splitOutput,
      SourceLocation location)
      implements IrNode {
    public Conv {
      inputs = List.copyOf(inputs);
    }

    public int inChannels() {
      return in.channels();
    }

    public int outChannels() {
      return out.channels();
    }
  }

  /** A stand-alone ReLU (for example after a residual sum). */
  record Relu(int id, String name, List<Integer> inputs, Shape out, SourceLocation location)
      implements IrNode {
    public Relu {
      inputs = List.copyOf(inputs);
    }
  }

  /** Max pooling with a square window; padding pads with -infinity (PyTorch semantics). */
  record MaxPool(
      int id,
      String name,
      List<Integer> inputs,
      Shape out,
      int kernel,
      int stride,
      int pad,
      SourceLocation location)
      implements IrNode {
    public MaxPool {
      inputs = List.copyOf(inputs);
    }
  }

  /** Average pooling with a square window; padded zeros count in the divisor (PyTorch default). */
  record AvgPool(
      int id,
      String name,
      List<Integer> inputs,
      Shape out,
      int kernel,
      int stride,
      int pad,
      SourceLocation location)
      implements IrNode {
    public AvgPool {
      inputs = List.copyOf(inputs);
    }
  }

  /**
   * Residual sum (spec CAddList). inputs.get(0) is the residual branch, the others shortcuts. All
   * inputs have equal shapes. Everything after an Add is live (spec §3).
   */
  record Add(int id, String name, List<Integer> inputs, Shape out, SourceLocation location)
      implements IrNode {
    public Add {
      inputs = List.copyOf(inputs);
    }
  }

  /** Channel concatenation in input order (spec JoinList: identity branch first in DenseNet). */
  record Concat(int id, String name, List<Integer> inputs, Shape out, SourceLocation location)
      implements IrNode {
    public Concat {
      inputs = List.copyOf(inputs);
    }
  }

  /**
   * The classifier (spec ConvLinear): a 1x1 convolution to {@code classes} with bias, followed by
   * global average pooling. Computed as global average pooling then a (classes x C) matrix, which
   * is exactly equivalent (spec §6.4). out is classes x 1 x 1. Always the last node.
   */
  record Classifier(
      int id, String name, List<Integer> inputs, Shape in, Shape out, int classes, SourceLocation location)
      implements IrNode {
    public Classifier {
      inputs = List.copyOf(inputs);
    }
  }
}
