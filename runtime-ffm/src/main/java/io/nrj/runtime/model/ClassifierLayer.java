package io.nrj.runtime.model;

import io.nrj.dsl.ir.InitScheme;
import io.nrj.dsl.ir.Shape;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.HostTensor;
import io.nrj.runtime.Tensor;
import java.util.List;
import java.util.Random;

/**
 * The classifier and the loss (spec §6.4): global average pooling of x (n, C, h, w) to (n, C), then
 * logits (n, K) = pooled * W^T + b with W stored as (K, C, 1, 1) (the 1x1 conv of the authors, which
 * commutes with the pooling), then mean softmax cross-entropy.
 *
 * <p>After rejuvenation ({@code liveIn >= 0}) there are two logit sets from the same weights and
 * bias: the survivor set sees the features [0, liveIn) with the others zeroed, the new set the
 * features [liveIn, C) with the survivors zeroed. The loss is the sum of the two cross-entropies;
 * predictions use the summed logits.
 */
public final class ClassifierLayer extends Layer {
  private final Shape inShape;
  private final int classes;
  private final int liveIn;

  private Parameter weight;
  private Parameter bias;
  private Activation in;
  private int n;
  private Tensor pooled; // (n, C)
  private Tensor xs; // mixed: survivor features, new ones zeroed (n, C)
  private Tensor xn; // mixed: new features, survivors zeroed (n, C)
  private Tensor logits; // (n, K): all features, or the survivor set when mixed
  private Tensor logitsNew; // mixed: the new set (n, K)
  private Tensor dLogits;
  private Tensor dLogitsNew;
  private Tensor dPooled; // scratch (n, C)
  private Tensor dTemp; // scratch (n, C)
  private Tensor labels; // (n) int32 class indices in float-sized cells, for the on-device loss
  private Tensor rowLosses; // (n) per-row loss of the survivor (or only) set
  private Tensor rowLossesNew; // mixed: (n) per-row loss of the new set
  private double lastSurvivorLoss;
  private double lastNewLoss;

  /**
   * @param inShape the input's (C, h, w) at the current widths
   * @param classes K
   * @param liveIn survivor input features after rejuvenation, or -1 before (one logit set)
   */
  public ClassifierLayer(String name, Shape inShape, int classes, int liveIn) {
    super(name);
    if (inShape.channels() == 0) {
      throw new IllegalArgumentException("classifier " + name + " has no input features");
    }
    this.inShape = inShape;
    this.classes = classes;
    this.liveIn = liveIn;
  }

  public boolean mixed() {
    return liveIn >= 0;
  }

  public int classes() {
    return classes;
  }

  @Override
  public List<ParamSpec> params() {
    return List.of(
        new ParamSpec(name() + ".weight", new int[] {classes, inShape.channels(), 1, 1}, ParamKind.CLASSIFIER_WEIGHT, null),
        new ParamSpec(name() + ".bias", new int[] {classes}, ParamKind.CLASSIFIER_BIAS, null));
  }

  @Override
  protected void bind(io.nrj.runtime.Backend backend, ParameterStore store) {
    super.bind(backend, store);
    weight = store.get(name() + ".weight");
    bias = store.get(name() + ".bias");
  }

  @Override
  protected void plan(int n, ActivationArena arena) {
    this.n = n;
    int c = inShape.channels();
    pooled = arena.saved(n, c);
    logits = arena.saved(n, classes);
    dLogits = arena.saved(n, classes);
    labels = arena.saved(n);
    rowLosses = arena.saved(n);
    if (mixed()) {
      rowLossesNew = arena.saved(n);
      xs = arena.saved(n, c);
      xn = arena.saved(n, c);
      logitsNew = arena.saved(n, classes);
      dLogitsNew = arena.saved(n, classes);
      dTemp = arena.scratch(1, n, c);
    }
    dPooled = arena.scratch(0, n, c);
  }

  /** Computes the logits of x (n, C, h, w); read them with {@link #logits()}. */
  public void forward(Activation x, boolean train) {
    if (x == null) throw new IllegalStateException("classifier " + name() + " has no input");
    in = x;
    int c = inShape.channels();
    backend.globalAvgPoolForward(x.value(), pooled, n, c, x.hw());
    Tensor w2 = weight.value().reshape(classes, c);
    if (!mixed()) {
      backend.linearForward(pooled, w2, bias.value(), logits, n, c, classes);
      return;
    }
    backend.fill(xs, 0f);
    backend.copyChannels(pooled, c, 0, xs, c, 0, liveIn, n, 1, false);
    backend.fill(xn, 0f);
    backend.copyChannels(pooled, c, liveIn, xn, c, liveIn, c - liveIn, n, 1, false);
    backend.linearForward(xs, w2, bias.value(), logits, n, c, classes);
    backend.linearForward(xn, w2, bias.value(), logitsNew, n, c, classes);
  }

  /**
   * Mean softmax cross-entropy of the last forward against {@code labels} (length n), summed over
   * the two logit sets when mixed; also writes the logit gradients backward uses.
   */
  public double loss(int[] labels) {
    if (labels.length != n) {
      throw new IllegalArgumentException("got " + labels.length + " labels for a batch of " + n);
    }
    lastSurvivorLoss = backend.softmaxCrossEntropy(logits, labels, dLogits, n, classes);
    lastNewLoss = mixed() ? backend.softmaxCrossEntropy(logitsNew, labels, dLogitsNew, n, classes) : 0;
    return lastSurvivorLoss + lastNewLoss;
  }

  /** The device buffer the labels of the planned batch go into (n int32 values) for {@link #lossOnDevice}. */
  public Tensor labels() {
    return labels;
  }

  /**
   * {@link #loss} with the labels already in {@link #labels()} and the losses left on the device:
   * nothing waits for the host, so a recorded step can contain it. Read with {@link #lossFromDevice}.
   */
  public void lossOnDevice() {
    backend.softmaxCrossEntropy(logits, labels, dLogits, rowLosses, n, classes);
    if (mixed()) backend.softmaxCrossEntropy(logitsNew, labels, dLogitsNew, rowLossesNew, n, classes);
  }

  /** The loss of the last {@link #lossOnDevice} (downloads n floats per set); as {@link #loss} returns. */
  public double lossFromDevice() {
    lastSurvivorLoss = mean(backend.download(rowLosses));
    lastNewLoss = mixed() ? mean(backend.download(rowLossesNew)) : 0;
    return lastSurvivorLoss + lastNewLoss;
  }

  private static double mean(float[] v) {
    double s = 0;
    for (float x : v) s += x;
    return s / v.length;
  }

  /** The survivor set's loss of the last {@link #loss} call (the only loss when not mixed). */
  public double survivorLoss() {
    return lastSurvivorLoss;
  }

  /** The new set's loss of the last {@link #loss} call (0 when not mixed). */
  public double newLoss() {
    return lastNewLoss;
  }

  /** Logits (n, K) of the last forward, on the host: the sum of both sets when mixed. */
  public float[] logits() {
    float[] l = backend.download(logits);
    if (mixed()) {
      float[] b = backend.download(logitsNew);
      for (int i = 0; i < l.length; i++) l[i] += b[i];
    }
    return l;
  }

  /** Survivor-set logits (n, K) when mixed, else all logits. */
  public float[] survivorLogits() {
    return backend.download(logits);
  }

  /** New-set logits (n, K) when mixed, else null. */
  public float[] newLogits() {
    return mixed() ? backend.download(logitsNew) : null;
  }

  @Override
  protected void backwardImpl() {
    if (in == null) return;
    int c = inShape.channels();
    Tensor w2 = weight.value().reshape(classes, c);
    Tensor dw2 = weight.grad().reshape(classes, c);
    backend.fill(dPooled, 0f);
    if (!mixed()) {
      backend.linearBackward(pooled, w2, dLogits, dPooled, dw2, bias.grad(), n, c, classes);
    } else {
      // Each set's input gradient only reaches the features it saw; the zeroed ones are constants.
      backend.fill(dTemp, 0f);
      backend.linearBackward(xs, w2, dLogits, dTemp, dw2, bias.grad(), n, c, classes);
      backend.copyChannels(dTemp, c, 0, dPooled, c, 0, liveIn, n, 1, true);
      backend.fill(dTemp, 0f);
      backend.linearBackward(xn, w2, dLogitsNew, dTemp, dw2, bias.grad(), n, c, classes);
      backend.copyChannels(dTemp, c, liveIn, dPooled, c, liveIn, c - liveIn, n, 1, true);
    }
    if (in.grad() != null) backend.globalAvgPoolBackward(dPooled, in.grad(), n, c, in.hw());
  }

  @Override
  protected void initialise(Random rng, InitScheme init, HostParams dst) {
    int c = inShape.channels();
    float[] w = new float[classes * c];
    float[] b = new float[classes];
    if (init.classifier() == InitScheme.ClassifierInit.HE) {
      // CIFAR ResNet quirk (spec §8.1, §12 C2): N(0, sqrt(2/K)), bias U(-1/sqrt(Cin), 1/sqrt(Cin)).
      double std = Math.sqrt(2.0 / classes);
      for (int i = 0; i < w.length; i++) w[i] = (float) (rng.nextGaussian() * std);
      double bound = 1.0 / Math.sqrt(c);
      for (int i = 0; i < b.length; i++) b[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
    } else {
      for (int i = 0; i < w.length; i++) w[i] = (float) (rng.nextGaussian() * 0.01);
    }
    dst.put(name() + ".weight", new HostTensor(new int[] {classes, c, 1, 1}, w));
    dst.put(name() + ".bias", new HostTensor(new int[] {classes}, b));
  }
}
