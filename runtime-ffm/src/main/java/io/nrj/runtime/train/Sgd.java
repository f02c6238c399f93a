package io.nrj.runtime.train;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.runtime.Backend;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.HostTensor;
import io.nrj.runtime.Tensor;
import io.nrj.runtime.model.ParamKind;
import io.nrj.runtime.model.Parameter;
import io.nrj.runtime.model.ParameterStore;
import java.util.Arrays;
import java.util.function.Predicate;

/**
 * The NR optimiser (spec §2.1, the authors' {@code optim.py}): first the L1 sub-gradient lambda *
 * sign(gamma) is added to the gradient of every BN scale the NR engine selects (not fixed layers),
 * then plain SGD with momentum over the whole contiguous parameter block in one call: d = g + wd*p
 * (L2 on every parameter, biases and BN included); buf = d on the first step, else mu*buf + d
 * (dampening 0, no Nesterov); p -= lr*buf.
 *
 * <p>The momentum buffer has the parameter block's layout. A new optimiser (fresh momentum) is
 * built after rejuvenation (spec §2.2).
 */
public final class Sgd implements AutoCloseable {
  private final Backend backend;
  private final ParameterStore store;
  private final ScheduleIr.Sgd config;
  private final Tensor momentum;
  private boolean started;
  private long steps;

  public Sgd(Backend backend, ParameterStore store, ScheduleIr.Sgd config) {
    this.backend = backend;
    this.store = store;
    this.config = config;
    // laid out like the parameter block, alignment gaps included
    this.momentum = store.paramCount() == 0 ? null : backend.allocate(Math.toIntExact(store.paramBlock().numel()));
  }

  /**
   * One step with the gradients now in the store's gradient block.
   *
   * @param lambda the L1 coefficient (0 outside the sparse phase)
   * @param l1Applies which convs' BN scales get the L1 term (NrEngine.l1Applies)
   */
  public void step(double lr, double lambda, Predicate<IrNode.Conv> l1Applies) {
    if (momentum == null) return;
    if (lambda != 0) {
      for (Parameter p : store.all()) {
        if (p.kind() == ParamKind.BN_SCALE && l1Applies.test(p.conv())) {
          backend.l1Subgradient(p.value(), p.grad(), (float) lambda);
        }
      }
    }
    backend.sgdStep(
        store.paramBlock(), store.gradBlock(), momentum, (float) lr, (float) config.momentum(),
        (float) config.weightDecay(), !started);
    started = true;
    steps++;
  }

  /**
   * A recorded step (recorded after the first step, so without the first-step branch) was
   * replayed on the device: count it as {@link #step} would have.
   */
  void replayedStep() {
    steps++;
  }

  /** Steps taken (restored by {@link #importState}). */
  public long steps() {
    return steps;
  }

  /** Whether a step was taken (so the momentum buffer holds state). */
  public boolean started() {
    return started;
  }

  /** The momentum buffers, named like their parameters; empty before the first step. */
  public HostParams exportState() {
    HostParams out = new HostParams();
    if (!started) return out;
    float[] all = backend.download(momentum);
    for (Parameter p : store.all()) {
      if (!p.kind().trainable()) continue;
      int from = Math.toIntExact(p.offset());
      int n = Math.toIntExact(p.value().numel());
      out.put(p.name(), new HostTensor(p.shape().clone(), Arrays.copyOfRange(all, from, from + n)));
    }
    return out;
  }

  /**
   * Restores momentum buffers saved by {@link #exportState()}; an empty set means no step was taken
   * yet. {@code steps} is the step count to continue from. Keyed by name (spec §12 D2); throws IllegalArgumentException naming a missing or misshapen
   * buffer.
   */
  public void importState(HostParams state, long steps) {
    this.steps = steps;
    if (state.asMap().isEmpty()) {
      started = false;
      return;
    }
    float[] all = new float[Math.toIntExact(store.paramBlock().numel())];
    for (Parameter p : store.all()) {
      if (!p.kind().trainable()) continue;
      if (!state.contains(p.name())) {
        throw new IllegalArgumentException("optimizer state has no momentum buffer '" + p.name() + "'");
      }
      HostTensor t = state.get(p.name());
      if (!Arrays.equals(t.shape(), p.shape())) {
        throw new IllegalArgumentException(
            "momentum buffer '" + p.name() + "' has shape " + Arrays.toString(t.shape()) + ", expected "
                + Arrays.toString(p.shape()));
      }
      System.arraycopy(t.data(), 0, all, Math.toIntExact(p.offset()), t.numel());
    }
    backend.upload(momentum, all);
    started = true;
  }

  @Override
  public void close() {
    if (momentum != null) momentum.close();
  }
}
