package io.nrj.runtime.model;

import io.nrj.dsl.ir.InitScheme;
import io.nrj.runtime.Backend;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.Tensor;
import java.util.List;
import java.util.Random;

/**
 * One layer of a trainable network over a {@link Backend}. A layer is built for fixed channel
 * counts (one widths table); rejuvenation builds new layers rather than resizing old ones.
 *
 * <p>Life cycle, driven by {@link LayerNetwork}: {@link #params()} declares the tensors the layer
 * needs, {@link #bind} hands it views of the network's contiguous blocks, {@link #plan} hands it
 * activation memory for one batch size. Then, per step, the layer's own {@code forward(...)} (its
 * signature depends on the layer) computes and returns its output {@link Activation}, remembering
 * its inputs, and {@link #backward()} reads the output gradient and accumulates into its inputs'
 * gradients.
 *
 * <p>A layer whose inputs are all absent (a conv deleted at rejuvenation has width 0, spec §12 B1)
 * returns null from forward, and its backward does nothing; this keeps generated straight-line code
 * valid for every widths table.
 */
public abstract class Layer implements AutoCloseable {
  private final String name;

  /** The backend, set by {@link #bind}. */
  protected Backend backend;

  protected Layer(String name) {
    this.name = name;
  }

  /** The IR node's name: the prefix of this layer's checkpoint tensor names. */
  public final String name() {
    return name;
  }

  /** Tensors this layer needs in the network's parameter and buffer blocks. */
  public List<ParamSpec> params() {
    return List.of();
  }

  /** Takes views of its tensors and allocates small per-layer device state. */
  protected void bind(Backend backend, ParameterStore store) {
    this.backend = backend;
  }

  /** Takes activation memory for batches of {@code n} (called twice: measuring, then real). */
  protected abstract void plan(int n, ActivationArena arena);

  /**
   * Accumulates the gradients of the last forward's inputs and parameters. First zeroes the
   * activation gradients whose lifetime starts here (see {@link MemoryPlan}: gradient buffers are
   * shared between activations whose gradients are never live at the same time).
   */
  public final void backward() {
    for (Tensor g : zeroBeforeBackward) backend.fill(g, 0f);
    backwardImpl();
  }

  /** The layer's own backward, run by {@link #backward()}. */
  protected abstract void backwardImpl();

  private List<Tensor> zeroBeforeBackward = List.of();
  private List<Tensor> overwrite = List.of();

  /** Set by the network's memory plan: gradients first written by this layer's backward. */
  final void zeroBeforeBackward(List<Tensor> grads) {
    this.zeroBeforeBackward = List.copyOf(grads);
  }

  /**
   * Set by the network's memory plan: input gradients this layer's backward writes first, which it
   * overwrites instead of adding to (they are not zeroed first). Only for layers that {@link
   * #canOverwriteInputGradient}.
   */
  final void overwrite(List<Tensor> grads) {
    this.overwrite = List.copyOf(grads);
  }

  /** Whether {@code grad} is an input gradient this layer's backward must overwrite. */
  protected final boolean overwrites(Tensor grad) {
    for (Tensor t : overwrite) if (t == grad) return true;
    return false;
  }

  /**
   * Whether this layer's backward writes its input gradient with an overwriting operation when it
   * is the first to write it (saving the zero fill and a read of the buffer). False by default.
   */
  protected boolean canOverwriteInputGradient() {
    return false;
  }

  /**
   * Whether this layer's backward reads its own output's value. When it does not, and the output
   * has a single consumer that can run in place (a ReLU or a residual sum), the consumer's output
   * may reuse this output's memory (see {@link MemoryPlan}). Conservatively true by default.
   */
  protected boolean backwardReadsOutput() {
    return true;
  }

  /**
   * Whether this layer's backward can work with its output gradient and one input's gradient in
   * one buffer (see {@link MemoryPlan}): a sum (the gradient passes through unchanged), a ReLU
   * where the backend can mask in place.
   */
  protected boolean passesGradientThrough(boolean inPlaceReluMask) {
    return false;
  }

  /**
   * Whether this layer's backward leaves its output gradient as it found it and writes no buffer
   * its output gradient could share (its input gradient is its producer's): then that buffer may
   * also be another activation's gradient ({@link MemoryPlan}, a residual stream). False by default.
   */
  protected boolean backwardOnlyReadsOutputGradient() {
    return false;
  }

  /**
   * Whether this layer's forward can write its output over the value of one of its inputs (an
   * element-wise layer). The network decides which input, if any, per {@link MemoryPlan}.
   */
  protected boolean runsInPlace() {
    return false;
  }

  /** Writes freshly initialised values (spec §8.1) of its tensors into {@code out}. */
  protected void initialise(Random rng, InitScheme init, HostParams out) {}

  /**
   * A recorded training step (forward in train mode included) was replayed on the device: update
   * host-side state the way that forward would have (BN's num_batches_tracked).
   */
  protected void replayedTrainingStep() {}

  /** Host-side state outside the blocks (for example BN's num_batches_tracked). */
  protected void exportState(HostParams out) {}

  protected void importState(HostParams in) {}

  /** Frees per-layer device state (views into shared blocks are not freed here). */
  @Override
  public void close() {}
}
