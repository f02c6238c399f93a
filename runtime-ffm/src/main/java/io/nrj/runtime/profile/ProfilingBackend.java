package io.nrj.runtime.profile;

import io.nrj.runtime.Backend;
import io.nrj.runtime.ConvGeom;
import io.nrj.runtime.PoolGeom;
import io.nrj.runtime.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.function.DoubleSupplier;

/**
 * A {@link Backend} that times every operation of another one into an {@link OpProfile}: the
 * per-op breakdown of {@code nrj bench --profile}. Each operation is followed by {@link
 * #synchronize()} so that asynchronous devices are timed too (which also makes them slower: use
 * the plain benchmark for throughput). Tensors are the wrapped backend's own.
 */
public final class ProfilingBackend implements Backend {
  private final Backend inner;
  private final OpProfile profile;

  public ProfilingBackend(Backend inner, OpProfile profile) {
    this.inner = inner;
    this.profile = profile;
  }

  /** The backend being timed. */
  public Backend inner() {
    return inner;
  }

  private void time(String kind, String shape, long macs, Runnable op) {
    long t0 = System.nanoTime();
    op.run();
    inner.synchronize();
    profile.add(kind, shape, System.nanoTime() - t0, macs);
  }

  private double time(String kind, String shape, DoubleSupplier op) {
    long t0 = System.nanoTime();
    double v = op.getAsDouble();
    inner.synchronize();
    profile.add(kind, shape, System.nanoTime() - t0, 0);
    return v;
  }

  private static String dims(Tensor t) {
    return Arrays.toString(t.shape()).replace(" ", "");
  }

  private static String conv(ConvGeom g) {
    return "n" + g.n() + " " + g.c() + "->" + g.k() + " k" + g.r() + " s" + g.stride() + " @" + g.h() + "x" + g.w();
  }

  private static String pool(PoolGeom g) {
    return "n" + g.n() + " c" + g.c() + " k" + g.kernel() + " s" + g.stride() + " @" + g.h() + "x" + g.w();
  }

  private static String nchw(int n, int c, int hw) {
    return "n" + n + " c" + c + " hw" + hw;
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public Tensor allocate(int... shape) {
    return inner.allocate(shape);
  }

  @Override
  public void upload(Tensor dst, float[] src) {
    time("upload", dims(dst), 0, () -> inner.upload(dst, src));
  }

  @Override
  public void upload(Tensor dst, MemorySegment hostSrc) {
    time("upload", dims(dst), 0, () -> inner.upload(dst, hostSrc));
  }

  @Override
  public float[] download(Tensor src) {
    long t0 = System.nanoTime();
    float[] v = inner.download(src);
    profile.add("download", dims(src), System.nanoTime() - t0, 0);
    return v;
  }

  @Override
  public void download(Tensor src, MemorySegment hostDst) {
    time("download", dims(src), 0, () -> inner.download(src, hostDst));
  }

  @Override
  public void copy(Tensor src, Tensor dst) {
    time("copy", dims(dst), 0, () -> inner.copy(src, dst));
  }

  @Override
  public void fill(Tensor t, float value) {
    time("fill", dims(t), 0, () -> inner.fill(t, value));
  }

  @Override
  public void convForward(Tensor x, Tensor w, Tensor y, ConvGeom g) {
    time("conv forward", conv(g), g.macs(), () -> inner.convForward(x, w, y, g));
  }

  @Override
  public void convBackwardData(Tensor dy, Tensor w, Tensor dx, ConvGeom g) {
    time("conv backward data", conv(g), g.macs(), () -> inner.convBackwardData(dy, w, dx, g));
  }

  @Override
  public void convBackwardData(Tensor dy, Tensor w, Tensor dx, ConvGeom g, boolean accumulate) {
    time("conv backward data", conv(g), g.macs(), () -> inner.convBackwardData(dy, w, dx, g, accumulate));
  }

  @Override
  public void convBackwardFilter(Tensor x, Tensor dy, Tensor dw, ConvGeom g) {
    time("conv backward filter", conv(g), g.macs(), () -> inner.convBackwardFilter(x, dy, dw, g));
  }

  @Override
  public void batchNormForwardTrain(
      Tensor x, Tensor gamma, Tensor beta, Tensor runMean, Tensor runVar, Tensor y,
      Tensor saveMean, Tensor saveInvStd, int n, int c, int hw, double eps, double momentum) {
    time("bn forward", nchw(n, c, hw), 0,
        () -> inner.batchNormForwardTrain(x, gamma, beta, runMean, runVar, y, saveMean, saveInvStd, n, c, hw, eps, momentum));
  }

  @Override
  public void batchNormForwardEval(
      Tensor x, Tensor gamma, Tensor beta, Tensor runMean, Tensor runVar, Tensor y, int n, int c, int hw, double eps) {
    time("bn forward (eval)", nchw(n, c, hw), 0,
        () -> inner.batchNormForwardEval(x, gamma, beta, runMean, runVar, y, n, c, hw, eps));
  }

  @Override
  public void batchNormBackward(
      Tensor x, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
      Tensor dx, Tensor dgamma, Tensor dbeta, int n, int c, int hw) {
    time("bn backward", nchw(n, c, hw), 0,
        () -> inner.batchNormBackward(x, dy, gamma, saveMean, saveInvStd, dx, dgamma, dbeta, n, c, hw));
  }

  @Override
  public void batchNormReluForwardTrain(
      Tensor x, Tensor gamma, Tensor beta, Tensor runMean, Tensor runVar, Tensor y,
      Tensor saveMean, Tensor saveInvStd, Tensor saveAffine, int n, int c, int hw, double eps, double momentum, boolean relu) {
    time(relu ? "bn+relu forward" : "bn forward", nchw(n, c, hw), 0,
        () -> inner.batchNormReluForwardTrain(x, gamma, beta, runMean, runVar, y, saveMean, saveInvStd, saveAffine, n, c, hw, eps, momentum, relu));
  }

  @Override
  public void batchNormAddReluForwardTrain(
      Tensor x, Tensor gamma, Tensor beta, Tensor runMean, Tensor runVar, Tensor r, Tensor y,
      Tensor saveMean, Tensor saveInvStd, int n, int c, int hw, double eps, double momentum, boolean relu) {
    time(relu ? "bn+add+relu forward" : "bn+add forward", nchw(n, c, hw), 0,
        () -> inner.batchNormAddReluForwardTrain(x, gamma, beta, runMean, runVar, r, y, saveMean, saveInvStd, n, c, hw, eps, momentum, relu));
  }

  @Override
  public void reluBatchNormBackward(
      Tensor x, Tensor y, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd, Tensor saveAffine,
      Tensor dx, Tensor dgamma, Tensor dbeta, int n, int c, int hw, boolean relu, Tensor scratch) {
    time(relu ? "relu+bn backward" : "bn backward", nchw(n, c, hw), 0,
        () -> inner.reluBatchNormBackward(x, y, dy, gamma, saveMean, saveInvStd, saveAffine, dx, dgamma, dbeta, n, c, hw, relu, scratch));
  }

  @Override
  public void reluForward(Tensor x, Tensor y) {
    time("relu forward", dims(y), 0, () -> inner.reluForward(x, y));
  }

  @Override
  public void reluBackward(Tensor y, Tensor dy, Tensor dx) {
    time("relu backward", dims(dx), 0, () -> inner.reluBackward(y, dy, dx));
  }

  @Override
  public boolean supportsReluMaskInPlace() {
    return inner.supportsReluMaskInPlace();
  }

  @Override
  public void reluMaskInPlace(Tensor y, Tensor g) {
    time("relu backward (in place)", dims(g), 0, () -> inner.reluMaskInPlace(y, g));
  }

  @Override
  public void add(Tensor a, Tensor b, Tensor y) {
    time("add", dims(y), 0, () -> inner.add(a, b, y));
  }

  @Override
  public void axpy(float alpha, Tensor src, Tensor dst) {
    time("axpy", dims(dst), 0, () -> inner.axpy(alpha, src, dst));
  }

  @Override
  public void addRelu(Tensor a, Tensor b, Tensor y) {
    time("add+relu", dims(y), 0, () -> inner.addRelu(a, b, y));
  }

  @Override
  public void reluMaskCopy(Tensor y, Tensor g, Tensor dst, boolean overwrite) {
    time("relu mask+copy", dims(g), 0, () -> inner.reluMaskCopy(y, g, dst, overwrite));
  }

  @Override
  public void multiply(Tensor t, Tensor mask) {
    time("multiply", dims(t), 0, () -> inner.multiply(t, mask));
  }

  @Override
  public void gateForward(Tensor a, Tensor c, Tensor y) {
    time("gate forward", dims(y), 0, () -> inner.gateForward(a, c, y));
  }

  @Override
  public void gateBackward(Tensor a, Tensor c, Tensor dy, Tensor da, Tensor dc) {
    time("gate backward", dims(dy), 0, () -> inner.gateBackward(a, c, dy, da, dc));
  }

  @Override
  public void maxPoolForward(Tensor x, Tensor y, PoolGeom g) {
    time("maxpool forward", pool(g), 0, () -> inner.maxPoolForward(x, y, g));
  }

  @Override
  public void maxPoolBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, PoolGeom g) {
    time("maxpool backward", pool(g), 0, () -> inner.maxPoolBackward(x, y, dy, dx, g));
  }

  @Override
  public void maxPoolBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, PoolGeom g, boolean accumulate) {
    time("maxpool backward", pool(g), 0, () -> inner.maxPoolBackward(x, y, dy, dx, g, accumulate));
  }

  @Override
  public void avgPoolForward(Tensor x, Tensor y, PoolGeom g) {
    time("avgpool forward", pool(g), 0, () -> inner.avgPoolForward(x, y, g));
  }

  @Override
  public void avgPoolBackward(Tensor dy, Tensor dx, PoolGeom g) {
    time("avgpool backward", pool(g), 0, () -> inner.avgPoolBackward(dy, dx, g));
  }

  @Override
  public void globalAvgPoolForward(Tensor x, Tensor y, int n, int c, int hw) {
    time("global pool forward", nchw(n, c, hw), 0, () -> inner.globalAvgPoolForward(x, y, n, c, hw));
  }

  @Override
  public void globalAvgPoolBackward(Tensor dy, Tensor dx, int n, int c, int hw) {
    time("global pool backward", nchw(n, c, hw), 0, () -> inner.globalAvgPoolBackward(dy, dx, n, c, hw));
  }

  @Override
  public void copyChannels(
      Tensor src, int srcChannels, int srcOffset, Tensor dst, int dstChannels, int dstOffset,
      int count, int n, int hw, boolean accumulate) {
    time(accumulate ? "copy channels (+=)" : "copy channels", nchw(n, count, hw), 0,
        () -> inner.copyChannels(src, srcChannels, srcOffset, dst, dstChannels, dstOffset, count, n, hw, accumulate));
  }

  @Override
  public void gatherBlock(Tensor src, int srcCols, Tensor dst, int dstCols, int inner, int[] rows, int[] cols) {
    time("gather block", dims(dst), 0, () -> this.inner.gatherBlock(src, srcCols, dst, dstCols, inner, rows, cols));
  }

  @Override
  public void linearForward(Tensor x, Tensor w, Tensor b, Tensor y, int n, int c, int k) {
    time("linear forward", "n" + n + " " + c + "->" + k, (long) n * c * k, () -> inner.linearForward(x, w, b, y, n, c, k));
  }

  @Override
  public void linearBackward(Tensor x, Tensor w, Tensor dy, Tensor dx, Tensor dw, Tensor db, int n, int c, int k) {
    time("linear backward", "n" + n + " " + c + "->" + k, (long) (dx == null ? 1 : 2) * n * c * k,
        () -> inner.linearBackward(x, w, dy, dx, dw, db, n, c, k));
  }

  @Override
  public double softmaxCrossEntropy(Tensor logits, int[] labels, Tensor dlogits, int n, int k) {
    return time("cross-entropy", "n" + n + " k" + k, () -> inner.softmaxCrossEntropy(logits, labels, dlogits, n, k));
  }

  @Override
  public void softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor dlogits, Tensor rowLosses, int n, int k) {
    time("cross-entropy", "n" + n + " k" + k, 0, () -> inner.softmaxCrossEntropy(logits, labels, dlogits, rowLosses, n, k));
  }

  @Override
  public void l1Subgradient(Tensor param, Tensor grad, float lambda) {
    time("l1 subgradient", dims(param), 0, () -> inner.l1Subgradient(param, grad, lambda));
  }

  @Override
  public void sgdStep(Tensor param, Tensor grad, Tensor momentum, float lr, float mu, float wd, boolean first) {
    time("sgd step", "", 0, () -> inner.sgdStep(param, grad, momentum, lr, mu, wd, first));
  }

  @Override
  public void synchronize() {
    inner.synchronize();
  }

  @Override
  public void replan() {
    inner.replan();
  }

  /** Does nothing: the wrapped backend belongs to whoever opened it. */
  @Override
  public void close() {}
}
