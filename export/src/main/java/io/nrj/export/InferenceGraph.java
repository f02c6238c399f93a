package io.nrj.export;

import io.nrj.dsl.ir.Shape;
import io.nrj.runtime.HostTensor;
import java.nio.file.Path;
import java.util.List;

/**
 * A trained network as the computation {@code nrj eval} runs on it (BN in eval mode): the plain
 * model between a checkpoint and the exporters. Built by {@link InferenceGraphBuilder}, which walks
 * the IR at the checkpoint's widths and mixed layout, drops deleted layers and checks every tensor;
 * written by {@code OnnxWriter} and {@code TorchModuleWriter}, which decide nothing about the
 * network.
 *
 * <p>Values are named: {@link #IMAGE} is the network's input (N, C, H, W) as {@code nrj eval} feeds
 * it, normalised; every op's output carries the op's name (the IR node's). Ops are in topological
 * order; the last is the {@link Classifier}.
 *
 * @param checkpoint the file the network was read from (named in errors)
 * @param network the network's name
 * @param input the image shape (C, H, W); the batch dimension is free
 * @param normalization the schedule's input normalisation, or null when it has none
 * @param description one line: the network, its widths, the checkpoint and its NR state
 */
public record InferenceGraph(
    Path checkpoint,
    String network, Shape input, int classes, List<Op> ops, Normalization normalization, String description) {
  /** The name of the input value. */
  public static final String IMAGE = "image";

  public InferenceGraph {
    ops = List.copyOf(ops);
  }

  public Classifier classifier() {
    return (Classifier) ops.getLast();
  }

  /** Whether the network was rejuvenated: its classifier gives survivor and new logits. */
  public boolean mixed() {
    return classifier().liveIn() >= 0;
  }

  /** One step of the computation; its output value is named {@link #name()}. */
  public sealed interface Op permits Conv, Relu, Pool, Add, Concat, Classifier {
    String name();

    /** Output shape (C, H, W). */
    Shape out();
  }

  /**
   * An NR convolution in eval mode (spec §8.1): z = conv(x, weight) without bias, then
   * BatchNorm2d with running statistics (eps 1e-5), then ReLU when {@code relu}. x is (N, inC, h,
   * w), weight (outC, inC, k, k).
   *
   * <p>{@code gate} non-null: a split conv with cross-attention (spec §6.2), z = a + 2·sigmoid(a)·c
   * with a = conv(x, weight on the two diagonal blocks) and c = conv(x, weight on the two cross
   * blocks). Split convs with cross connections removed are plain convs: their cross weights are
   * zero, and {@code nrj eval} runs them as one full convolution with the stored weight too.
   */
  public record Conv(
      String name,
      String input,
      Shape in,
      Shape out,
      int kernel,
      int stride,
      int pad,
      boolean relu,
      HostTensor weight,
      BatchNorm bn,
      CrossGate gate)
      implements Op {}

  /**
   * The cross-attention split of a conv: input channels [0, liveIn) and output channels [0,
   * liveOut) are survivors. Weight block (o, i) is diagonal when both are survivors or both new.
   */
  public record CrossGate(int liveIn, int liveOut) {
    public boolean diagonal(int out, int in) {
      return (out < liveOut) == (in < liveIn);
    }
  }

  /** BatchNorm2d's affine parameters and running statistics, each (outC). */
  public record BatchNorm(float[] gamma, float[] beta, float[] mean, float[] var) {
    /** BatchNorm2d's epsilon in every NR conv (spec §8.1). */
    public static final double EPS = 1e-5;

    /** gamma / sqrt(var + eps) of channel c: what BN multiplies the conv output by in eval mode. */
    public double scale(int c) {
      return gamma[c] / Math.sqrt(var[c] + EPS);
    }

    /** beta - mean * scale of channel c: what BN adds after the multiplication. */
    public double shift(int c) {
      return beta[c] - mean[c] * scale(c);
    }
  }

  /** A stand-alone ReLU (after a residual sum). */
  public record Relu(String name, String input, Shape out) implements Op {}

  /**
   * Max or average pooling with a square window, floor rounding; max pooling pads with -infinity,
   * average pooling counts padded zeros in the divisor (PyTorch's defaults, as the runtime).
   */
  public record Pool(String name, String input, Shape out, boolean max, int kernel, int stride, int pad)
      implements Op {}

  /** Residual sum, in input order: ((x0 + x1) + x2) ... (deleted branches already left out). */
  public record Add(String name, List<String> inputs, Shape out) implements Op {
    public Add {
      inputs = List.copyOf(inputs);
    }
  }

  /**
   * Channel concatenation as the runtime joins it: the output is the {@code parts} one after the
   * other, in plain input order before rejuvenation; after it, the survivor part of every input,
   * then the new part of every input ({@code [s0 s1 .. | n0 n1 ..]}, spec §5.3), the order the
   * consumers' weight columns are in. Deleted inputs are already left out.
   */
  public record Concat(String name, List<Part> parts, Shape out) implements Op {
    public Concat {
      parts = List.copyOf(parts);
    }
  }

  /** Channels [from, to) of value {@code input}, which has {@code channels} channels. */
  public record Part(String input, int channels, int from, int to) {
    public boolean whole() {
      return from == 0 && to == channels;
    }
  }

  /**
   * The classifier (spec §6.4): global average pooling of x (N, C, h, w), then logits (N, K) =
   * pooled · W^T + bias with weight (K, C, 1, 1).
   *
   * <p>After rejuvenation ({@code liveIn >= 0}) there are two logit sets with the same weight and
   * bias: survivor logits from features [0, liveIn) with the others zeroed, new logits from
   * features [liveIn, C) with the survivors zeroed. The network's logits are their sum, as {@code
   * nrj eval} predicts with.
   */
  public record Classifier(String name, String input, Shape in, int classes, HostTensor weight, float[] bias, int liveIn)
      implements Op {
    @Override
    public Shape out() {
      return new Shape(classes, 1, 1);
    }
  }

  /**
   * The evaluation transform after pixels are scaled to [0, 1]: x = (p - mean[c]) / std[c] per
   * channel (spec §9).
   */
  public record Normalization(double[] mean, double[] std) {}
}
