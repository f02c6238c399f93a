package io.nrj.processor.descriptor;

import java.util.Collections;
import java.util.List;

/**
 * One layer of a generated trainer, in forward order: which runtime layer class it becomes, the
 * IR node it comes from, and which layers' outputs it reads. Producers are named by their field;
 * null stands for the input image. {@link #comment()} is printed above the layer's call, with
 * shapes at the declared widths and the {@code .nr} position the layer came from.
 */
public sealed interface LayerDescriptor {
  /** Java field name of the layer (its output local is {@code field + "Out"}). */
  String field();

  /** The IR node's name: the prefix of the layer's checkpoint tensor names. */
  String irName();

  /** The IR node's id, indexing {@code NetworkIr.nodes()} and the widths-dependent shapes. */
  int id();

  String comment();

  /** The producers whose outputs this layer reads (null: the image), in IR order. */
  List<String> inputs();

  /** The ids of {@link #inputs()} ({@code IrNode.IMAGE} for the image). */
  List<Integer> inputIds();

  /** An NR convolution: {@code ConvBnLayer}, its output width from the widths table. */
  record ConvBn(
      String field, String irName, int id, String comment, String input, int inputId, int convIndex)
      implements LayerDescriptor {
    @Override
    public List<String> inputs() {
      return Collections.singletonList(input);
    }

    @Override
    public List<Integer> inputIds() {
      return List.of(inputId);
    }
  }

  /** A stand-alone ReLU. */
  record Relu(String field, String irName, int id, String comment, String input, int inputId)
      implements LayerDescriptor {
    @Override
    public List<String> inputs() {
      return Collections.singletonList(input);
    }

    @Override
    public List<Integer> inputIds() {
      return List.of(inputId);
    }
  }

  /** Max or average pooling. */
  record Pool(
      String field,
      String irName,
      int id,
      String comment,
      String input,
      int inputId,
      boolean max,
      int kernel,
      int stride,
      int pad)
      implements LayerDescriptor {
    @Override
    public List<String> inputs() {
      return Collections.singletonList(input);
    }

    @Override
    public List<Integer> inputIds() {
      return List.of(inputId);
    }
  }

  /** Residual sum. */
  record Add(String field, String irName, int id, String comment, List<String> inputs, List<Integer> inputIds)
      implements LayerDescriptor {
    public Add {
      inputs = Collections.unmodifiableList(new java.util.ArrayList<>(inputs));
      inputIds = List.copyOf(inputIds);
    }
  }

  /** Channel concatenation in input order. */
  record Concat(
      String field, String irName, int id, String comment, List<String> inputs, List<Integer> inputIds)
      implements LayerDescriptor {
    public Concat {
      inputs = Collections.unmodifiableList(new java.util.ArrayList<>(inputs));
      inputIds = List.copyOf(inputIds);
    }
  }

  /** The classifier: global average pooling, then the linear map to the logits. */
  record Classifier(
      String field, String irName, int id, String comment, String input, int inputId, int classes)
      implements LayerDescriptor {
    @Override
    public List<String> inputs() {
      return Collections.singletonList(input);
    }

    @Override
    public List<Integer> inputIds() {
      return List.of(inputId);
    }
  }
}
