package io.nrj.runtime.model;

import io.nrj.dsl.ir.InitScheme;
import io.nrj.runtime.Backend;
import io.nrj.runtime.HostParams;
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

  /** Accumulates the gradients of the last forward's inputs and parameters. */
  public abstract void backward();

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
