package io.nrj.runtime.model;

import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.Widths;
import io.nrj.runtime.Backend;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.Tensor;
import io.nrj.runtime.nr.MixedLayout;
import io.nrj.runtime.nr.Surgery;
import java.util.function.Predicate;

/**
 * A network the training loop can train: implemented by {@link GraphNetwork} (walks any IR) and by
 * the generated trainers (straight-line code over the same layers). One step is:
 *
 * <pre>{@code
 * backend.upload(net.input(n), images);   // (n, C, H, W)
 * net.forward(n, true);
 * double loss = net.loss(labels);
 * net.backward();                          // gradients now in net.parameters().gradBlock()
 * }</pre>
 *
 * Tensor names and layouts of {@link #exportParams()} follow {@link HostParams}' contract.
 */
public interface TrainableNetwork extends AutoCloseable {
  NetworkIr ir();

  Backend backend();

  /** The current widths table (the IR's declared widths until a rejuvenation). */
  Widths widths();

  /** The survivor/new split after rejuvenation, or null before. */
  MixedLayout layout();

  /** The device buffer to upload a batch of {@code n} images (n, C, H, W) into before forward. */
  Tensor input(int n);

  /** Forward pass of the {@code n} images in {@link #input(int)}; BN in train or eval mode. */
  void forward(int n, boolean train);

  /**
   * Mean softmax cross-entropy of the last forward (the sum of the two sets' losses when mixed,
   * spec §6.4); also prepares the logit gradients for {@link #backward()}.
   */
  double loss(int[] labels);

  /**
   * The device buffer to upload the {@code n} labels of a batch into (int32 values, raw bytes)
   * for {@link #lossOnDevice()}.
   */
  Tensor labels(int n);

  /**
   * {@link #loss} against the labels in {@link #labels(int)}, leaving the loss on the device: no
   * host synchronisation, so a {@linkplain Backend#record recorded} step can contain it.
   */
  void lossOnDevice();

  /** The loss of the last {@link #lossOnDevice()}, read from the device (as {@link #loss} returns it). */
  double lossFromDevice();

  /**
   * Which plan the device addresses belong to: changes whenever layers are rebuilt or an
   * activation block is reallocated, so a recorded step of an older plan must not be replayed.
   */
  long planGeneration();

  /** A recorded training step was replayed: updates host-side state its forward would have. */
  void replayedTrainingStep();

  /** The survivor set's share of the last loss (the whole loss when not mixed). */
  double survivorLoss();

  /** Logits (n, K) of the last forward on the host; the sum of both sets when mixed. */
  float[] logits();

  /** Survivor-set logits (all logits when not mixed). */
  float[] survivorLogits();

  /** New-set logits when mixed, else null. */
  float[] newLogits();

  /** Zeroes every gradient, then back-propagates the last loss. */
  void backward();

  /** The named tensors on the device, with the contiguous parameter and gradient blocks. */
  ParameterStore parameters();

  /** Every parameter and BN buffer, downloaded, in forward order. */
  default HostParams exportParams() {
    return exportParams(name -> true);
  }

  /** The tensors whose names {@code which} accepts, downloaded, in forward order. */
  HostParams exportParams(Predicate<String> which);

  /**
   * Uploads every tensor; throws IllegalArgumentException naming the tensor when one is missing,
   * unexpected or of the wrong shape.
   */
  void importParams(HostParams params);

  /**
   * Rebuilds every layer, shape and buffer for new widths (spec §5) and loads {@code params} (which
   * must match them); used after rejuvenation and when resuming a rejuvenated checkpoint.
   */
  void replan(Widths widths, MixedLayout layout, HostParams params);

  /**
   * Rebuilds every layer for the rejuvenated widths and builds the tensors with {@code surgery} on
   * the device: fresh values uploaded, survivors gathered from the current tensors, every other
   * tensor copied over; the current weights never travel to the host.
   */
  void rejuvenate(Widths widths, MixedLayout layout, Surgery surgery);

  /** Device bytes held for parameters, gradients and planned activations. */
  long deviceBytes();

  @Override
  void close();
}
