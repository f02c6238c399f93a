package io.nrj.runtime.model;

import io.nrj.dsl.ir.InitScheme;
import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.dsl.ir.Shape;
import io.nrj.runtime.Backend;
import io.nrj.runtime.ConvGeom;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.HostTensor;
import io.nrj.runtime.Tensor;
import io.nrj.runtime.nr.MixedLayout.ConvSplit;
import java.util.List;
import java.util.Random;

/**
 * An NR convolution (spec §8.1): conv without bias, BatchNorm2d (eps 1e-5, momentum 0.1) in train
 * or eval mode, then ReLU when the IR says so. x is (n, inC, h, w), the weight (outC, inC, k, k),
 * the output (n, outC, outH, outW).
 *
 * <p>Mixed training after rejuvenation (spec §6.2), for a conv marked split with survivor counts
 * (li, lo):
 *
 * <ul>
 *   <li>cross {@code REMOVED}: a full conv whose weight gradient is masked to zero on the two cross
 *       blocks. The cross weights start at 0, so they contribute exactly nothing forward, get zero
 *       gradient, zero weight decay and zero momentum, and stay 0: exactly the same as leaving them
 *       out (spec §6.5).
 *   <li>cross {@code ATTENTION}: a = conv(x, W*diag), c = conv(x, W*cross), y = a + 2*sigmoid(a)*c,
 *       then one BN over all outC channels.
 * </ul>
 *
 * Not split (input layers, spec §6.3; the rare §12 B6 case): an ordinary conv.
 */
public final class ConvBnLayer extends Layer {
  static final double BN_EPS = 1e-5;
  static final double BN_MOMENTUM = 0.1;

  private final IrNode.Conv conv;
  private final int inC;
  private final int outC;
  private final ConvSplit split;
  private final boolean attention;
  private final boolean masked;

  private Parameter weight;
  private Parameter gamma;
  private Parameter beta;
  private Parameter runMean;
  private Parameter runVar;
  private long batchesTracked;
  private Tensor saveMean;
  private Tensor saveInvStd;
  private Tensor saveAffine; // (2, outC): the train forward's BN scale and shift (Backend#batchNormReluForwardTrain)
  private Tensor diagMask; // (outC, inC, k, k): 1 on the survivor and new diagonal blocks
  private Tensor crossMask; // 1 - diagMask
  private Tensor wDiag; // ATTENTION: masked weight copies and a weight-gradient temporary
  private Tensor wCross;
  private Tensor dwTemp;

  private ConvGeom geom;
  private Activation in;
  private Activation out;
  /** The residual sum's other input this BN adds (set by the plan), and whether the ReLU after it too. */
  private Activation residual;
  private boolean residualRelu;
  private Tensor z; // pre-BN response (n, outC, outH, outW)
  private Tensor a; // ATTENTION: diagonal response
  private Tensor c; // ATTENTION: cross response
  private Tensor scratchDbn;
  private Tensor scratchDz;
  private Tensor scratchDa;
  private Tensor scratchDc;

  /**
   * @param conv the IR node (kernel, stride, padding, ReLU, roles, input spatial size)
   * @param inChannels input channels at the current widths
   * @param outChannels output channels at the current widths (0: deleted layer)
   * @param split the conv's split after rejuvenation, or null before
   * @param cross how cross blocks are treated when split (null means REMOVED)
   */
  public ConvBnLayer(IrNode.Conv conv, int inChannels, int outChannels, ConvSplit split, CrossMode cross) {
    super(conv.name());
    this.conv = conv;
    this.inC = inChannels;
    this.outC = outChannels;
    this.split = split;
    boolean isSplit = split != null && split.split() && !conv.isInput() && outChannels > 0;
    this.attention = isSplit && cross == CrossMode.ATTENTION;
    this.masked = isSplit && !attention;
  }

  public IrNode.Conv conv() {
    return conv;
  }

  public int outChannels() {
    return outC;
  }

  /** The output of the last plan (null for a deleted layer). */
  public Activation output() {
    return out;
  }

  @Override
  public List<ParamSpec> params() {
    if (outC == 0) return List.of();
    String n = name();
    int k = conv.kernel();
    return List.of(
        new ParamSpec(n + ".conv.weight", new int[] {outC, inC, k, k}, ParamKind.CONV_WEIGHT, conv),
        new ParamSpec(n + ".bn.weight", new int[] {outC}, ParamKind.BN_SCALE, conv),
        new ParamSpec(n + ".bn.bias", new int[] {outC}, ParamKind.BN_SHIFT, conv),
        new ParamSpec(n + ".bn.running_mean", new int[] {outC}, ParamKind.BN_RUNNING, conv),
        new ParamSpec(n + ".bn.running_var", new int[] {outC}, ParamKind.BN_RUNNING, conv));
  }

  @Override
  protected void bind(Backend backend, ParameterStore store) {
    super.bind(backend, store);
    if (outC == 0) return;
    String n = name();
    weight = store.get(n + ".conv.weight");
    gamma = store.get(n + ".bn.weight");
    beta = store.get(n + ".bn.bias");
    runMean = store.get(n + ".bn.running_mean");
    runVar = store.get(n + ".bn.running_var");
    saveMean = backend.allocate(outC);
    saveInvStd = backend.allocate(outC);
    saveAffine = backend.allocate(2 * outC);
    if (masked || attention) {
      int k = conv.kernel();
      float[] diag = new float[outC * inC * k * k];
      int li = split.liveIn();
      int lo = split.liveOut();
      for (int o = 0; o < outC; o++) {
        for (int i = 0; i < inC; i++) {
          float m = (o < lo) == (i < li) ? 1f : 0f;
          for (int j = 0; j < k * k; j++) diag[(o * inC + i) * k * k + j] = m;
        }
      }
      diagMask = backend.allocate(outC, inC, k, k);
      backend.upload(diagMask, diag);
      if (attention) {
        float[] cross = new float[diag.length];
        for (int i = 0; i < diag.length; i++) cross[i] = 1f - diag[i];
        crossMask = backend.allocate(outC, inC, k, k);
        backend.upload(crossMask, cross);
        wDiag = backend.allocate(outC, inC, k, k);
        wCross = backend.allocate(outC, inC, k, k);
        dwTemp = backend.allocate(outC, inC, k, k);
      }
    }
  }

  @Override
  protected void plan(int n, ActivationArena arena) {
    if (outC == 0) {
      out = null;
      return;
    }
    Shape s = conv.in();
    geom = new ConvGeom(n, inC, s.height(), s.width(), outC, conv.kernel(), conv.kernel(), conv.stride(), conv.pad());
    int[] dims = {n, outC, geom.outH(), geom.outW()};
    out = arena.activation(n, new Shape(outC, geom.outH(), geom.outW()));
    z = arena.saved(dims);
    if (attention) {
      a = arena.saved(dims);
      c = arena.saved(dims);
      scratchDa = arena.scratch(2, dims);
      scratchDc = arena.scratch(3, dims);
    }
    scratchDbn = arena.scratch(0, dims);
    scratchDz = arena.scratch(1, dims);
  }

  /** Forward for the planned batch size; x is (n, inC, h, w). Returns null for a deleted layer. */
  public Activation forward(Activation x, boolean train) {
    if (outC == 0) return null;
    if (x == null) {
      throw new IllegalStateException(
          "conv " + name() + " has no input: its producer was deleted at rejuvenation");
    }
    in = x;
    if (attention) {
      backend.copy(weight.value(), wDiag);
      backend.multiply(wDiag, diagMask);
      backend.copy(weight.value(), wCross);
      backend.multiply(wCross, crossMask);
      backend.convForward(x.value(), wDiag, a, geom);
      backend.convForward(x.value(), wCross, c, geom);
      backend.gateForward(a, c, z);
    } else {
      backend.convForward(x.value(), weight.value(), z, geom);
    }
    int hw = geom.outH() * geom.outW();
    if (train && residual != null) {
      backend.batchNormAddReluForwardTrain(
          z, gamma.value(), beta.value(), runMean.value(), runVar.value(), residual.value(), out.value(), saveMean,
          saveInvStd, x.n(), outC, hw, BN_EPS, BN_MOMENTUM, residualRelu);
      batchesTracked++;
    } else if (train) {
      backend.batchNormReluForwardTrain(
          z, gamma.value(), beta.value(), runMean.value(), runVar.value(), out.value(), saveMean,
          saveInvStd, saveAffine, x.n(), outC, hw, BN_EPS, BN_MOMENTUM, conv.relu());
      batchesTracked++;
    } else {
      backend.batchNormForwardEval(
          z, gamma.value(), beta.value(), runMean.value(), runVar.value(), out.value(), x.n(), outC, hw, BN_EPS);
      if (residual != null && residualRelu) backend.addRelu(out.value(), residual.value(), out.value());
      else if (residual != null) backend.add(out.value(), residual.value(), out.value());
      else if (conv.relu()) backend.reluForward(out.value(), out.value());
    }
    return out;
  }

  /** Whether this layer's BN can add a residual sum's other input ({@link #addResidual}). */
  boolean canAddResidual() {
    return outC > 0 && !conv.relu() && !attention;
  }

  /**
   * Set by the network's plan: the residual sum after this layer runs in place over its output,
   * and this layer's BN adds {@code shortcut} (then the ReLU when {@code relu}) in its second pass
   * (null: no such sum). The sum then passes its output on ({@link AddLayer#summedByNorm}).
   */
  void addResidual(Activation shortcut, boolean relu) {
    this.residual = shortcut;
    this.residualRelu = relu;
  }

  @Override
  protected boolean canOverwriteInputGradient() {
    return outC > 0; // a deleted layer writes nothing
  }

  @Override
  protected boolean backwardOnlyReadsOutputGradient() {
    return true; // BN's backward reads it and writes its own scratch
  }

  @Override
  protected boolean backwardReadsOutput() {
    return conv.relu(); // the ReLU mask; BN's backward reads the pre-BN response z instead
  }

  @Override
  protected void backwardImpl() {
    if (outC == 0 || in == null) return;
    int n = out.n();
    int hw = geom.outH() * geom.outW();
    Tensor dz = scratchDz; // overwritten
    backend.reluBatchNormBackward(
        z, out.value(), out.grad(), gamma.value(), saveMean, saveInvStd, residual == null ? saveAffine : null, dz, gamma.grad(), beta.grad(),
        n, outC, hw, conv.relu(), scratchDbn);
    if (attention) {
      backend.fill(scratchDa, 0f);
      backend.fill(scratchDc, 0f);
      backend.gateBackward(a, c, dz, scratchDa, scratchDc);
      accumulateMaskedFilterGrad(scratchDa, diagMask);
      accumulateMaskedFilterGrad(scratchDc, crossMask);
      if (in.grad() != null) {
        backend.convBackwardData(scratchDa, wDiag, in.grad(), geom, !overwrites(in.grad()));
        backend.convBackwardData(scratchDc, wCross, in.grad(), geom);
      }
    } else {
      backend.convBackwardFilter(in.value(), dz, weight.grad(), geom);
      // Only this layer writes this weight's gradient, so masking the sum masks its contribution.
      if (masked) backend.multiply(weight.grad(), diagMask);
      if (in.grad() != null) backend.convBackwardData(dz, weight.value(), in.grad(), geom, !overwrites(in.grad()));
    }
  }

  private void accumulateMaskedFilterGrad(Tensor dResponse, Tensor mask) {
    backend.fill(dwTemp, 0f);
    backend.convBackwardFilter(in.value(), dResponse, dwTemp, geom);
    backend.multiply(dwTemp, mask);
    backend.axpy(1f, dwTemp, weight.grad());
  }

  @Override
  protected void initialise(Random rng, InitScheme init, HostParams dst) {
    if (outC == 0) return;
    int k = conv.kernel();
    // He-normal, fan-out: N(0, sqrt(2 / (k*k*Cout))) (spec §8.1).
    double std = Math.sqrt(2.0 / (k * k * outC));
    float[] w = new float[outC * inC * k * k];
    for (int i = 0; i < w.length; i++) w[i] = (float) (rng.nextGaussian() * std);
    float[] g = new float[outC];
    java.util.Arrays.fill(g, (float) init.bnGamma());
    float[] var = new float[outC];
    java.util.Arrays.fill(var, 1f);
    String n = name();
    dst.put(n + ".conv.weight", new HostTensor(new int[] {outC, inC, k, k}, w));
    dst.put(n + ".bn.weight", new HostTensor(new int[] {outC}, g));
    dst.put(n + ".bn.bias", HostTensor.zeros(outC));
    dst.put(n + ".bn.running_mean", HostTensor.zeros(outC));
    dst.put(n + ".bn.running_var", new HostTensor(new int[] {outC}, var));
    dst.put(n + ".bn.num_batches_tracked", new HostTensor(new int[0], new float[1]));
  }

  @Override
  protected void replayedTrainingStep() {
    if (outC > 0) batchesTracked++;
  }

  @Override
  protected void exportState(HostParams dst) {
    if (outC == 0) return;
    dst.put(name() + ".bn.num_batches_tracked", new HostTensor(new int[0], new float[] {batchesTracked}));
  }

  @Override
  protected void importState(HostParams in) {
    if (outC == 0) return;
    String key = name() + ".bn.num_batches_tracked";
    batchesTracked = in.contains(key) ? (long) in.get(key).data()[0] : 0;
  }

  @Override
  public void close() {
    for (Tensor t : new Tensor[] {saveMean, saveInvStd, saveAffine, diagMask, crossMask, wDiag, wCross, dwTemp}) {
      if (t != null) t.close();
    }
  }
}
