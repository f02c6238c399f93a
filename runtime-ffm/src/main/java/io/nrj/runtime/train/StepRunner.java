package io.nrj.runtime.train;

import io.nrj.dsl.ir.IrNode;
import io.nrj.runtime.Backend;
import io.nrj.runtime.OpChecks;
import io.nrj.runtime.RecordedWork;
import io.nrj.runtime.model.TrainableNetwork;
import java.lang.foreign.MemorySegment;
import java.util.function.Predicate;

/**
 * Runs training steps (upload, forward, loss, backward, SGD), eagerly or as a recorded step (a
 * CUDA graph) replayed with one launch per batch.
 *
 * <p>Recording (asked for with {@code record}, and only where {@link Backend#record} can) works
 * per key: batch size, learning rate, λ, optimiser and the network's plan generation, because
 * what is recorded is fixed (addresses, shapes, scalars). The first step with a key runs eagerly
 * with the loss kept on the device (it also creates cuDNN plans, workspaces and pooled buffers,
 * which a recording must not allocate); the second records and replays; later ones replay. A
 * batch of another size (an epoch's last) runs eagerly and leaves the recording in place. The
 * loss is read back after every step, as the progress line and the tally need it.
 *
 * <p>Host-side state that the recorded forward and optimiser step update (BN's
 * num_batches_tracked, the optimiser's step count) is advanced on each replay, so a replayed run
 * saves the same checkpoint as an eager one.
 */
public final class StepRunner implements AutoCloseable {
  private final boolean record;
  private RecordedWork recorded;
  private Key recordedKey;
  private Key lastKey;
  private boolean unsupported;
  private boolean replayed;

  private record Key(int n, double lr, double lambda, Sgd sgd, TrainableNetwork net, long plan) {}

  /** @param record whether to record steps where the device can (CUDA graphs) */
  public StepRunner(boolean record) {
    this.record = record;
  }

  /** Whether the last {@link #step} replayed a recording. */
  public boolean lastStepReplayed() {
    return replayed;
  }

  /**
   * Uploads {@code images} (n, C, H, W) and {@code labels} (n), runs one training step and returns
   * its loss.
   *
   * @param l1Applies which convs' BN scales get the L1 term
   */
  public double step(
      TrainableNetwork net, Sgd sgd, float[] images, int[] labels, double lr, double lambda,
      Predicate<IrNode.Conv> l1Applies) {
    Backend backend = net.backend();
    int n = labels.length;
    replayed = false;
    backend.upload(net.input(n), images);
    if (!record || unsupported) {
      net.forward(n, true);
      double loss = net.loss(labels);
      net.backward();
      sgd.step(lr, lambda, l1Applies);
      return loss;
    }
    OpChecks.labels(labels, n, net.ir().classes()); // the on-device loss cannot check them
    backend.upload(net.labels(n), MemorySegment.ofArray(labels));
    Key key = new Key(n, lr, lambda, sgd, net, net.planGeneration());
    Runnable work = () -> {
      net.forward(n, true);
      net.lossOnDevice();
      net.backward();
      sgd.step(lr, lambda, l1Applies);
    };
    if (recorded != null && key.equals(recordedKey)) {
      recorded.replay();
      net.replayedTrainingStep();
      sgd.replayedStep();
      replayed = true;
    } else if (key.equals(lastKey) && sgd.started()) {
      // Recording runs the Java code once (so host-side state advances once) and queues nothing;
      // the replay right after does the device work.
      closeRecording();
      try {
        recorded = backend.record(work);
      } catch (RuntimeException e) {
        throw new IllegalStateException(
            "recording the training step as a CUDA graph failed (" + e.getMessage() + "); train without graphs", e);
      }
      if (recorded == null) {
        unsupported = true; // this device cannot record: the step did not run, run it now
        work.run();
      } else {
        recordedKey = key;
        recorded.replay();
        replayed = true;
      }
    } else {
      work.run();
    }
    lastKey = key;
    return net.lossFromDevice();
  }

  private void closeRecording() {
    if (recorded != null) recorded.close();
    recorded = null;
    recordedKey = null;
  }

  @Override
  public void close() {
    closeRecording();
  }
}
