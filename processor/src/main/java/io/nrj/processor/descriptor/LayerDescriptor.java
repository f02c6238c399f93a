package io.nrj.processor.descriptor;

import java.util.List;

/**
 * One layer of a generated trainer, in forward order. Inputs name the producing layer's field, or
 * are null for the input image. Spatial sizes are fixed by the input shape and never change with
 * the widths; channel counts are looked up in the trainer's {@code Channels} record by field name.
 * {@link #comment()} is the line printed above the layer's calls, with shapes at the declared
 * widths and the {@code .nr} position the layer came from.
 */
public sealed interface LayerDescriptor {
  /** Java identifier of the layer (record components are derived from it). */
  String field();

  /** The IR's node name, which names the layer's tensors in checkpoints. */
  String irName();

  String comment();

  /** The producers whose outputs this layer reads; null entries stand for the image. */
  List<String> inputs();

  /**
   * Convolution (no bias), BatchNorm and optionally ReLU.
   *
   * @param l1 whether the L1 sub-gradient applies to its BN scale (false for fixed convs)
   */
  record ConvBn(
      String field,
      String irName,
      String comment,
      String input,
      int convIndex,
      int inH,
      int inW,
      int outH,
      int outW,
      int kernel,
      int stride,
      int pad,
      boolean relu,
      boolean l1)
      implements LayerDescriptor {
    @Override
    public List<String> inputs() {
      return java.util.Collections.singletonList(input);
    }
  }

  /** A stand-alone ReLU over a (C, h, w) input. */
  record Relu(String field, String irName, String comment, String input, int h, int w)
      implements LayerDescriptor {
    @Override
    public List<String> inputs() {
      return java.util.Collections.singletonList(input);
    }
  }

  /** Max or average pooling. */
  record Pool(
      String field,
      String irName,
      String comment,
      String input,
      boolean max,
      int inH,
      int inW,
      int outH,
      int outW,
      int kernel,
      int stride,
      int pad)
      implements LayerDescriptor {
    @Override
    public List<String> inputs() {
      return java.util.Collections.singletonList(input);
    }
  }

  /** Residual sum of equally shaped inputs. */
  record Add(String field, String irName, String comment, List<String> inputs, int h, int w)
      implements LayerDescriptor {
    public Add {
      inputs = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(inputs));
    }
  }

  /** Channel concatenation in input order. */
  record Concat(String field, String irName, String comment, List<String> inputs, int h, int w)
      implements LayerDescriptor {
    public Concat {
      inputs = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(inputs));
    }
  }

  /** Global average pooling of an (C, h, w) input, then a (classes x C) linear map with bias. */
  record Classifier(
      String field, String irName, String comment, String input, int h, int w, int classes)
      implements LayerDescriptor {
    @Override
    public List<String> inputs() {
      return java.util.Collections.singletonList(input);
    }
  }
}
