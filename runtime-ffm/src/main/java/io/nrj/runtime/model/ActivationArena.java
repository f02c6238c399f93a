package io.nrj.runtime.model;

import io.nrj.dsl.ir.Shape;
import io.nrj.runtime.Backend;
import io.nrj.runtime.Tensor;

/**
 * Device memory for one batch size's activations, handed out as views of three blocks, so a
 * network allocates once per (batch size, widths) instead of once per step:
 *
 * <ul>
 *   <li>values: every tensor forward saves for backward (layer outputs, pre-BN responses);
 *   <li>grads: the gradient of every activation, zeroed with one fill before each backward;
 *   <li>scratch slots: backward temporaries, shared by all layers because backward runs one layer
 *       at a time; each slot is as large as its largest request.
 * </ul>
 *
 * Planning is two passes over the layers: a measuring pass (views are null) sizes the blocks, then
 * a real pass hands out views. Blocks only grow, so a smaller batch reuses a bigger one's memory.
 * Every view starts at a multiple of {@link ParameterStore#ALIGN} floats (256 bytes, cudaMalloc's
 * alignment), whatever the widths: cuDNN picks its algorithms on aligned buffers and its
 * vectorised kernels expect aligned operands.
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
  private long gradUsed;
  private long generation;

  public ActivationArena(Backend backend) {
    this.backend = backend;
  }

  /** Starts a pass; in a measuring pass every method returns null views and only counts. */
  void begin(boolean measuring) {
    this.measuring = measuring;
    valueUsed = 0;
    gradUsed = 0;
    if (measuring) java.util.Arrays.fill(scratchNeed, 0);
  }

  /** After a measuring pass: grows the blocks to what it counted. */
  void reserve() {
    values = grow(values, valueUsed);
    grads = grow(grads, gradUsed);
    for (int i = 0; i < SLOTS; i++) scratch[i] = grow(scratch[i], scratchNeed[i]);
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

  /** An activation of {@code n} samples of {@code shape}, with a gradient. */
  public Activation activation(int n, Shape shape) {
    long size = n * shape.size();
    Tensor v = measuring ? null : values.view(valueUsed, dims(n, shape));
    Tensor g = measuring ? null : grads.view(gradUsed, dims(n, shape));
    valueUsed = ParameterStore.aligned(valueUsed + size);
    gradUsed = ParameterStore.aligned(gradUsed + size);
    return new Activation(v, g, n, shape);
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

  /** Zeroes every activation gradient of the current plan (one fill). */
  void zeroGrads() {
    if (gradUsed > 0) backend.fill(grads.view(0, Math.toIntExact(gradUsed)), 0f);
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
