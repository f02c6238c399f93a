package io.nrj.runtime.model;

import io.nrj.dsl.ir.Shape;
import io.nrj.runtime.Backend;
import io.nrj.runtime.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Device memory for one batch size's activations, handed out as views of three blocks, so a
 * network allocates once per (batch size, widths) instead of once per step:
 *
 * <ul>
 *   <li>values: every tensor forward saves for backward (layer outputs, pre-BN responses); a
 *       layer that runs in place gets its input's view instead (see {@link MemoryPlan});
 *   <li>grads: the gradient of every layer output, at offsets chosen so that gradients whose
 *       lifetimes overlap never share memory and the others may, and one buffer for a chain of
 *       gradients the plan says are one (a sum's and its input's; see {@link MemoryPlan});
 *   <li>scratch slots: backward temporaries, shared by all layers because backward runs one layer
 *       at a time; each slot is as large as its largest request.
 * </ul>
 *
 * Planning is two passes over the layers: a measuring pass (views are null) sizes the blocks and
 * lays the gradients out, then a real pass hands out views. Blocks only grow, so a smaller batch
 * reuses a bigger one's memory. Every view starts at a multiple of {@link ParameterStore#ALIGN}
 * floats (256 bytes, cudaMalloc's alignment), whatever the widths: cuDNN picks its algorithms on
 * aligned buffers and its vectorised kernels expect aligned operands.
 */
public final class ActivationArena implements AutoCloseable {
  /** Number of shared scratch slots layers may use (0 .. SLOTS-1). */
  public static final int SLOTS = 4;

  private final Backend backend;
  private Tensor values;
  private Tensor grads;
  private final Tensor[] scratch = new Tensor[SLOTS];
  private final long[] scratchNeed = new long[SLOTS];
  private boolean measuring;
  private long valueUsed;
  private long gradNeed;
  private long generation;
  // the plan of the current pass, and per layer: output size, gradient offset, output
  private MemoryPlan plan;
  private int layer = -1;
  private long[] outSize = new long[0];
  private long[] gradOffset = new long[0];
  private int[] gradParent = new int[0]; // per layer: whose gradient buffer its gradient is, or -1
  private Activation[] outputs = new Activation[0];

  public ActivationArena(Backend backend) {
    this.backend = backend;
  }

  /**
   * Starts a pass over {@code layers} layers under {@code plan}; in a measuring pass every method
   * returns null views and only counts.
   */
  void begin(boolean measuring, MemoryPlan plan, int layers) {
    this.measuring = measuring;
    this.plan = plan;
    this.layer = -1;
    valueUsed = 0;
    if (measuring) {
      Arrays.fill(scratchNeed, 0);
      outSize = new long[layers];
      gradOffset = new long[layers];
      gradParent = new int[layers];
      Arrays.fill(gradParent, -1);
    }
    outputs = new Activation[layers];
  }

  /** The next calls are layer {@code i}'s (in forward order). */
  void layer(int i) {
    layer = i;
  }

  /** After a measuring pass: lays the gradients out and grows the blocks to what it counted. */
  void reserve() {
    gradNeed = layOutGradients();
    values = grow(values, valueUsed);
    grads = grow(grads, gradNeed);
    for (int i = 0; i < SLOTS; i++) scratch[i] = grow(scratch[i], scratchNeed[i]);
  }

  /** The first layer of the chain of shared gradient buffers layer {@code i}'s gradient is in. */
  private int root(int i) {
    while (gradParent[i] >= 0) i = gradParent[i];
    return i;
  }

  /**
   * The last layer whose gradient is in root {@code r}'s buffer: the buffer's first writer is
   * that layer's first writer.
   */
  private int head(int r) {
    int h = r;
    for (int i = r + 1; i < outSize.length; i++) if (outSize[i] != 0 && root(i) == r) h = i;
    return h;
  }

  /**
   * Offsets for the gradient buffers, first fit in order of first use: a buffer is live from the
   * backward of its first writer to that of the first layer sharing it (inclusive; backward runs
   * layers in reverse).
   */
  private long layOutGradients() {
    int count = outSize.length;
    int[] start = new int[count];
    Integer[] order = new Integer[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
      if (outSize[i] != 0 && gradParent[i] < 0) start[i] = plan.firstWriter(head(i));
    }
    // first use in backward = highest forward index of the first writer
    Arrays.sort(order, Comparator.comparingInt((Integer i) -> -start[i]).thenComparingInt(i -> -i));
    List<long[]> live = new ArrayList<>(); // {offset, size, producer}, sorted by offset
    long top = 0;
    for (int i : order) {
      if (outSize[i] == 0 || gradParent[i] >= 0) continue;
      int first = start[i];
      if (plan.shares()) live.removeIf(b -> b[2] > first); // producer's backward ran before this gradient's first write
      long size = ParameterStore.aligned(outSize[i]);
      long at = 0;
      int k = 0;
      for (; k < live.size(); k++) {
        long[] b = live.get(k);
        if (b[0] - at >= size) break;
        at = Math.max(at, b[0] + b[1]);
      }
      live.add(k, new long[] {at, size, i});
      gradOffset[i] = at;
      top = Math.max(top, at + size);
    }
    return top;
  }

  /** Counts block reallocations: views handed out before one point to freed memory. */
  long generation() {
    return generation;
  }

  private Tensor grow(Tensor t, long need) {
    if (need == 0 || (t != null && t.numel() >= need)) return t;
    generation++;
    if (t != null) t.close();
    return backend.allocate(Math.toIntExact(need));
  }

  /**
   * The output activation of the current layer: {@code n} samples of {@code shape}, with a
   * gradient. Its value is an input's value where the plan lets the layer run in place.
   */
  public Activation activation(int n, Shape shape) {
    if (layer < 0) throw new IllegalStateException("activation() outside a layer's plan");
    long size = n * shape.size();
    int from = plan.alias(layer);
    boolean inPlace = from >= 0 && outSize[from] == size && outputs[from] != null;
    if (measuring) {
      if (outSize[layer] != 0) throw new IllegalStateException("layer " + layer + " asked for two outputs");
      outSize[layer] = size;
      int ga = plan.gradAlias(layer);
      if (ga >= 0 && outSize[ga] == size) gradParent[layer] = ga;
    }
    Tensor v = null;
    Tensor g = null;
    if (!measuring) {
      v = inPlace ? outputs[from].value() : values.view(valueUsed, dims(n, shape));
      // a shared gradient buffer is the same tensor object, so layers can tell (MemoryPlan)
      g = gradParent[layer] >= 0 ? outputs[gradParent[layer]].grad() : grads.view(gradOffset[layer], dims(n, shape));
    }
    if (!inPlace) valueUsed = ParameterStore.aligned(valueUsed + size);
    Activation a = new Activation(v, g, n, shape);
    outputs[layer] = a;
    return a;
  }

  /** Layer {@code i}'s output as planned by the last pass (null for a deleted layer). */
  Activation output(int i) {
    return outputs[i];
  }

  /** An activation without a gradient (the input image). */
  public Activation input(int n, Shape shape) {
    Tensor v = measuring ? null : values.view(valueUsed, dims(n, shape));
    valueUsed = ParameterStore.aligned(valueUsed + n * shape.size());
    return new Activation(v, null, n, shape);
  }

  /** A tensor forward saves for backward (lives until the next plan). */
  public Tensor saved(int... shape) {
    long size = numel(shape);
    Tensor v = measuring ? null : values.view(valueUsed, shape);
    valueUsed = ParameterStore.aligned(valueUsed + size);
    return v;
  }

  /** A backward temporary in a shared slot; its content is garbage on entry. */
  public Tensor scratch(int slot, int... shape) {
    long size = numel(shape);
    if (measuring) {
      scratchNeed[slot] = Math.max(scratchNeed[slot], size);
      return null;
    }
    return scratch[slot].view(0, shape);
  }

  /**
   * After a real pass: per layer, the gradients its backward writes first (those to zero before it
   * runs, unless it overwrites them). With {@code consumers} true, those of its inputs; with false,
   * its own output's when nothing reads it (no one writes that gradient: it must be zeroed).
   */
  List<List<Tensor>> firstWrites(boolean consumers) {
    List<List<Tensor>> lists = new ArrayList<>();
    for (int i = 0; i < outputs.length; i++) lists.add(new ArrayList<>());
    for (int i = 0; i < outputs.length; i++) {
      if (outputs[i] != null && outputs[i].grad() != null && gradParent[i] < 0) {
        int head = head(i), writer = plan.firstWriter(head);
        if ((writer != head) == consumers) lists.get(writer).add(outputs[i].grad());
      }
    }
    return lists;
  }

  /** Zeroes the whole gradient block (once, after it is allocated: see {@link MemoryPlan}). */
  void zeroGrads() {
    if (gradNeed > 0) backend.fill(grads.view(0, Math.toIntExact(gradNeed)), 0f);
  }

  /** Device bytes held by the blocks. */
  public long bytes() {
    long b = 0;
    if (values != null) b += values.numel();
    if (grads != null) b += grads.numel();
    for (Tensor t : scratch) if (t != null) b += t.numel();
    return 4 * b;
  }

  private static int[] dims(int n, Shape s) {
    return new int[] {n, s.channels(), s.height(), s.width()};
  }

  private static long numel(int[] shape) {
    long n = 1;
    for (int d : shape) n *= d;
    return n;
  }

  @Override
  public void close() {
    if (values != null) values.close();
    if (grads != null) grads.close();
    for (int i = 0; i < SLOTS; i++) {
      if (scratch[i] != null) scratch[i].close();
      scratch[i] = null;
    }
    values = null;
    grads = null;
  }
}
