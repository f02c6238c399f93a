package io.nrj.runtime.cpu;

import static io.nrj.runtime.OpChecks.need;
import static io.nrj.runtime.cpu.CpuTensor.seg;

import io.nrj.runtime.Backend;
import io.nrj.runtime.ConvGeom;
import io.nrj.runtime.OpChecks;
import io.nrj.runtime.PoolGeom;
import io.nrj.runtime.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The pure-Java CPU backend: the reference every other backend is checked against. float32 in
 * native memory, NCHW. Results are bit-identical run to run for a given thread count ({@code
 * -Dnrj.cpu.threads}, default: available processors) because all parallel work is statically
 * partitioned (see {@link CpuThreads}).
 *
 * <p>This class validates arguments and dispatches; the numeric kernels live in {@link
 * ConvKernels}, {@link NormKernels}, {@link PoolKernels} and {@link Sgemm}. It is not an autograd
 * engine: callers sequence forward and backward calls themselves.
 */
public final class CpuBackend implements Backend {
  static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

  private final CpuThreads pool;
  private final boolean vector;
  private final Sgemm.Work[] work;
  private final DirectConv.Work[] direct;
  private final DirectConv.FilterBuffers filterBuffers = new DirectConv.FilterBuffers();
  private final StridedPointwise.Scratch strided = new StridedPointwise.Scratch();
  private final Winograd.Buffers winograd = new Winograd.Buffers();
  private final ChannelLaneConv.Buffers lanes;
  private final WinogradLanes.Buffers winogradLanes;
  private final String convPolicy;
  private float[] mirror = new float[0]; // heap copy of a conv input (see heapCopy)

  /** A backend with the configured threads ({@code nrj.cpu.threads}) and vector setting. */
  public CpuBackend() {
    this(CpuThreads.configuredThreads(), !"false".equalsIgnoreCase(System.getProperty("nrj.cpu.vector")));
  }

  /**
   * @param threads worker threads (results are deterministic per thread count)
   * @param vector use the Vector API kernels; false selects the scalar fallback
   */
  public CpuBackend(int threads, boolean vector) {
    this(threads, vector, ConvAlgo.configuredPolicy());
  }

  /** With a convolution algorithm policy: "auto", "gemm" or "direct" (see {@link ConvAlgo}). */
  CpuBackend(int threads, boolean vector, String convPolicy) {
    this.pool = new CpuThreads(threads);
    this.vector = vector && vectorAvailable();
    this.work = new Sgemm.Work[threads];
    this.direct = new DirectConv.Work[threads];
    this.lanes = new ChannelLaneConv.Buffers(threads);
    this.winogradLanes = new WinogradLanes.Buffers(threads);
    for (int t = 0; t < threads; t++) {
      work[t] = new Sgemm.Work();
      direct[t] = new DirectConv.Work();
    }
    this.convPolicy = convPolicy;
  }

  /** What {@code new CpuBackend()} runs with, e.g. "2 threads, 512-bit Vector API kernels". */
  public static String description() {
    boolean v = !"false".equalsIgnoreCase(System.getProperty("nrj.cpu.vector")) && vectorAvailable();
    return CpuThreads.configuredThreads() + " threads, " + (v ? "512-bit Vector API kernels" : "scalar kernels");
  }

  /** Whether the Vector API module is present and its preferred vectors are 512 bits. */
  static boolean vectorAvailable() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return false;
    try {
      return VectorKernels.usable();
    } catch (LinkageError e) {
      return false;
    }
  }

  @Override
  public String name() {
    return "cpu";
  }

  /** The worker threads; results are bit-identical run to run for the same count. */
  public int threads() {
    return pool.threads();
  }

  /** The worker team (for the kernel benchmark). */
  CpuThreads pool() {
    return pool;
  }

  /** The algorithm this backend runs for {@code pass} of {@code g}. */
  ConvAlgo convAlgorithm(ConvGeom g, ConvAlgo.Pass pass) {
    return ConvAlgo.choose(convPolicy, g, pass);
  }

  /** Whether the Vector API kernels are in use (false: the scalar fallback). */
  public boolean vectorized() {
    return vector;
  }

  // ---- memory ----

  @Override
  public Tensor allocate(int... shape) {
    return CpuTensor.allocate(shape);
  }

  @Override
  public void upload(Tensor dst, float[] src) {
    need(dst, src.length, "upload destination");
    MemorySegment.copy(src, 0, seg(dst), F, 0, src.length);
  }

  @Override
  public void upload(Tensor dst, MemorySegment hostSrc) {
    MemorySegment d = seg(dst);
    if (hostSrc.byteSize() != d.byteSize()) {
      throw new IllegalArgumentException(
          "upload: host segment has " + hostSrc.byteSize() + " bytes, tensor " + Arrays.toString(dst.shape())
              + " needs " + d.byteSize());
    }
    d.copyFrom(hostSrc);
  }

  @Override
  public float[] download(Tensor src) {
    return seg(src).toArray(F);
  }

  @Override
  public void download(Tensor src, MemorySegment hostDst) {
    MemorySegment s = seg(src);
    if (hostDst.byteSize() != s.byteSize()) {
      throw new IllegalArgumentException(
          "download: host segment has " + hostDst.byteSize() + " bytes, tensor " + Arrays.toString(src.shape())
              + " has " + s.byteSize());
    }
    hostDst.copyFrom(s);
  }

  @Override
  public void copy(Tensor src, Tensor dst) {
    need(dst, src.numel(), "copy destination");
    seg(dst).copyFrom(seg(src));
  }

  @Override
  public void fill(Tensor t, float value) {
    MemorySegment s = seg(t);
    if (value == 0f) {
      s.fill((byte) 0);
      return;
    }
    long n = t.numel();
    for (long i = 0; i < n; i++) s.setAtIndex(F, i, value);
  }

  // ---- convolution ----

  @Override
  public void convForward(Tensor x, Tensor w, Tensor y, ConvGeom g) {
    OpChecks.conv(x, w, y, g);
    switch (ConvAlgo.choose(convPolicy, g, ConvAlgo.Pass.FORWARD)) {
      case POINTWISE -> PointwiseConv.forward(pool, vector, direct, seg(x), seg(w), seg(y), g);
      case STRIDED_POINTWISE -> StridedPointwise.forward(pool, vector, direct, strided, seg(x), seg(w), seg(y), g);
      case LINEAR -> Linear.forward(pool, vector, work, seg(x), seg(w), null, seg(y), g.n(), g.c() * g.r() * g.s(), g.k());
      case WINOGRAD -> Winograd.forward(pool, vector, work, winograd, seg(x), seg(w), seg(y), g);
      case DIRECT, STRIDED_DIRECT -> DirectConv.forward(pool, vector, direct, seg(x), seg(w), seg(y), g); // Layout.of(g) picks stride phases
      case LANES -> ChannelLaneConv.forward(pool, vector, lanes, seg(x), seg(w), seg(y), g);
      case WINOGRAD_LANES -> WinogradLanes.forward(pool, vector, winogradLanes, seg(x), seg(w), seg(y), g);
      case GEMM -> ConvKernels.forward(pool, vector, work, heapCopy(x), seg(w), seg(y), g);
    }
  }

  @Override
  public void convBackwardData(Tensor dy, Tensor w, Tensor dx, ConvGeom g) {
    convBackwardData(dy, w, dx, g, true);
  }

  @Override
  public void convBackwardData(Tensor dy, Tensor w, Tensor dx, ConvGeom g, boolean accumulate) {
    OpChecks.conv(dx, w, dy, g);
    switch (ConvAlgo.choose(convPolicy, g, ConvAlgo.Pass.BACKWARD_DATA)) {
      case POINTWISE -> PointwiseConv.backwardData(pool, vector, direct, seg(dy), seg(w), seg(dx), g, accumulate);
      case STRIDED_POINTWISE -> StridedPointwise.backwardData(pool, vector, direct, strided, seg(dy), seg(w), seg(dx), g, accumulate);
      case STRIDED_DIRECT -> throw new IllegalStateException("no strided direct backward data"); // ConvAlgo never picks it
      case DIRECT -> DirectConv.backwardData(pool, vector, direct, seg(dy), seg(w), seg(dx), g, accumulate);
      case LANES -> ChannelLaneConv.backwardData(pool, vector, lanes, seg(dy), seg(w), seg(dx), g, accumulate);
      case WINOGRAD_LANES -> WinogradLanes.backwardData(pool, vector, winogradLanes, seg(dy), seg(w), seg(dx), g, accumulate);
      case GEMM -> ConvKernels.backwardData(pool, vector, work, seg(dy), seg(w), seg(dx), g, accumulate);
      case LINEAR -> {
        if (!accumulate) seg(dx).fill((byte) 0);
        Linear.backwardData(pool, vector, work, seg(w), seg(dy), seg(dx), g.n(), g.c() * g.r() * g.s(), g.k());
      }
      case WINOGRAD -> Winograd.backwardData(pool, vector, work, winograd, seg(dy), seg(w), seg(dx), g, accumulate);
    }
  }

  @Override
  public void convBackwardFilter(Tensor x, Tensor dy, Tensor dw, ConvGeom g) {
    OpChecks.conv(x, dw, dy, g);
    switch (ConvAlgo.choose(convPolicy, g, ConvAlgo.Pass.BACKWARD_FILTER)) {
      case POINTWISE -> PointwiseConv.backwardFilter(pool, vector, direct, filterBuffers, seg(x), seg(dy), seg(dw), g);
      case STRIDED_POINTWISE -> StridedPointwise.backwardFilter(pool, vector, direct, filterBuffers, strided, seg(x), seg(dy), seg(dw), g);
      case LINEAR -> Linear.backwardWeights(pool, vector, work, seg(x), seg(dy), seg(dw), g.n(), g.c() * g.r() * g.s(), g.k());
      case WINOGRAD -> Winograd.backwardFilter(pool, vector, work, winograd, seg(x), seg(dy), seg(dw), g);
      case DIRECT, STRIDED_DIRECT -> DirectConv.backwardFilter(pool, vector, direct, filterBuffers, seg(x), seg(dy), seg(dw), g);
      case LANES -> ChannelLaneConv.backwardFilter(pool, vector, lanes, seg(x), seg(dy), seg(dw), g);
      case WINOGRAD_LANES -> WinogradLanes.backwardFilter(pool, vector, winogradLanes, seg(x), seg(dy), seg(dw), g);
      case GEMM -> ConvKernels.backwardFilter(pool, vector, work, heapCopy(x), seg(dy), seg(dw), g);
    }
  }

  /**
   * x copied into a reusable heap array: im2col reads it in short runs and gathers, which C2 does
   * far faster on arrays than on segments. Costs one pass over x per call.
   */
  private float[] heapCopy(Tensor x) {
    int n = Math.toIntExact(x.numel());
    if (mirror.length < n) mirror = new float[n];
    MemorySegment.copy(seg(x), F, 0, mirror, 0, n);
    return mirror;
  }

  // ---- batch norm ----

  @Override
  public void batchNormForwardTrain(
      Tensor x, Tensor gamma, Tensor beta, Tensor runMean, Tensor runVar, Tensor y,
      Tensor saveMean, Tensor saveInvStd, int n, int c, int hw, double eps, double momentum) {
    OpChecks.batchNorm(x, y, n, c, hw, gamma, beta, runMean, runVar, saveMean, saveInvStd);
    NormKernels.forwardTrain(pool, vector, seg(x), seg(gamma), seg(beta), seg(runMean), seg(runVar), seg(y),
        seg(saveMean), seg(saveInvStd), n, c, hw, eps, momentum);
  }

  @Override
  public void batchNormForwardEval(
      Tensor x, Tensor gamma, Tensor beta, Tensor runMean, Tensor runVar, Tensor y,
      int n, int c, int hw, double eps) {
    OpChecks.batchNorm(x, y, n, c, hw, gamma, beta, runMean, runVar);
    NormKernels.forwardEval(pool, vector, seg(x), seg(gamma), seg(beta), seg(runMean), seg(runVar), seg(y), n, c, hw, eps);
  }

  @Override
  public void batchNormBackward(
      Tensor x, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
      Tensor dx, Tensor dgamma, Tensor dbeta, int n, int c, int hw) {
    OpChecks.batchNormBackward(x, dy, dx, n, c, hw, gamma, saveMean, saveInvStd, dgamma, dbeta);
    NormKernels.backward(pool, vector, seg(x), seg(dy), seg(gamma), seg(saveMean), seg(saveInvStd),
        seg(dx), seg(dgamma), seg(dbeta), n, c, hw);
  }

  @Override
  public void batchNormReluForwardTrain(
      Tensor x, Tensor gamma, Tensor beta, Tensor runMean, Tensor runVar, Tensor y,
      Tensor saveMean, Tensor saveInvStd, Tensor saveAffine, int n, int c, int hw, double eps, double momentum, boolean relu) {
    OpChecks.batchNorm(x, y, n, c, hw, gamma, beta, runMean, runVar, saveMean, saveInvStd);
    if (saveAffine != null) need(saveAffine, 2L * c, "saved scale and shift");
    NormKernels.forwardTrainRelu(pool, vector, seg(x), seg(gamma), seg(beta), seg(runMean), seg(runVar), null, seg(y),
        seg(saveMean), seg(saveInvStd), saveAffine == null ? null : seg(saveAffine), n, c, hw, eps, momentum, relu);
  }

  @Override
  public void batchNormAddReluForwardTrain(
      Tensor x, Tensor gamma, Tensor beta, Tensor runMean, Tensor runVar, Tensor r, Tensor y,
      Tensor saveMean, Tensor saveInvStd, int n, int c, int hw, double eps, double momentum, boolean relu) {
    OpChecks.batchNorm(x, y, n, c, hw, gamma, beta, runMean, runVar, saveMean, saveInvStd);
    need(r, x.numel(), "residual r");
    NormKernels.forwardTrainRelu(pool, vector, seg(x), seg(gamma), seg(beta), seg(runMean), seg(runVar), seg(r), seg(y),
        seg(saveMean), seg(saveInvStd), null, n, c, hw, eps, momentum, relu);
  }

  /**
   * Whether BN's backward recomputes the ReLU mask from its input and the forward's scale and
   * shift instead of reading y (same bits; {@code -Dnrj.cpu.bnMaskFromX=false} reads y, for A/B runs).
   */
  static final boolean MASK_FROM_X = !"false".equals(System.getProperty("nrj.cpu.bnMaskFromX"));

  @Override
  public void reluBatchNormBackward(
      Tensor x, Tensor y, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd, Tensor saveAffine,
      Tensor dx, Tensor dgamma, Tensor dbeta, int n, int c, int hw, boolean relu, Tensor scratch) {
    OpChecks.batchNormBackward(x, dy, dx, n, c, hw, gamma, saveMean, saveInvStd, dgamma, dbeta);
    if (relu) need(y, x.numel(), "relu output y");
    if (saveAffine != null) need(saveAffine, 2L * c, "saved scale and shift");
    NormKernels.reluBackward(pool, vector, seg(x), relu ? seg(y) : seg(x), seg(dy), seg(gamma), seg(saveMean), seg(saveInvStd),
        relu && saveAffine != null && MASK_FROM_X ? seg(saveAffine) : null, seg(dx), seg(dgamma), seg(dbeta), n, c, hw, relu);
  }

  // ---- element-wise ----

  @Override
  public void reluForward(Tensor x, Tensor y) {
    need(y, x.numel(), "relu output");
    Elementwise.relu(pool, vector, seg(x), seg(y));
  }

  @Override
  public void reluBackward(Tensor y, Tensor dy, Tensor dx) {
    need(dy, y.numel(), "relu dy");
    need(dx, y.numel(), "relu dx");
    Elementwise.reluBackward(pool, vector, seg(y), seg(dy), seg(dx));
  }

  @Override
  public boolean supportsReluMaskInPlace() {
    return true;
  }

  @Override
  public void reluMaskInPlace(Tensor y, Tensor g) {
    need(g, y.numel(), "relu gradient");
    Elementwise.reluMask(pool, vector, seg(y), seg(g));
  }

  @Override
  public void add(Tensor a, Tensor b, Tensor y) {
    need(b, a.numel(), "add operand b");
    need(y, a.numel(), "add output");
    Elementwise.add(pool, vector, seg(a), seg(b), seg(y));
  }

  @Override
  public void addRelu(Tensor a, Tensor b, Tensor y) {
    need(b, a.numel(), "add operand b");
    need(y, a.numel(), "add output");
    Elementwise.addRelu(pool, vector, seg(a), seg(b), seg(y));
  }

  @Override
  public void reluMaskCopy(Tensor y, Tensor g, Tensor dst, boolean overwrite) {
    need(g, y.numel(), "relu gradient");
    need(dst, y.numel(), "shortcut gradient");
    Elementwise.reluMaskCopy(pool, vector, seg(y), seg(g), seg(dst), overwrite);
  }

  @Override
  public void axpy(float alpha, Tensor src, Tensor dst) {
    need(dst, src.numel(), "axpy destination");
    Elementwise.axpy(pool, vector, alpha, seg(src), seg(dst));
  }

  @Override
  public void multiply(Tensor t, Tensor mask) {
    need(mask, t.numel(), "multiply mask");
    Elementwise.multiply(pool, vector, seg(t), seg(mask));
  }

  @Override
  public void gateForward(Tensor a, Tensor c, Tensor y) {
    need(c, a.numel(), "gate input c");
    need(y, a.numel(), "gate output");
    Elementwise.gateForward(pool, seg(a), seg(c), seg(y));
  }

  @Override
  public void gateBackward(Tensor a, Tensor c, Tensor dy, Tensor da, Tensor dc) {
    for (Tensor t : new Tensor[] {c, dy, da, dc}) need(t, a.numel(), "gate backward tensor");
    Elementwise.gateBackward(pool, seg(a), seg(c), seg(dy), seg(da), seg(dc));
  }

  // ---- pooling ----

  @Override
  public void maxPoolForward(Tensor x, Tensor y, PoolGeom g) {
    OpChecks.pool(x, y, g);
    PoolKernels.maxForward(pool, vector, seg(x), seg(y), g);
  }

  @Override
  public void maxPoolBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, PoolGeom g) {
    maxPoolBackward(x, y, dy, dx, g, true);
  }

  @Override
  public void maxPoolBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, PoolGeom g, boolean accumulate) {
    OpChecks.pool(x, y, g);
    OpChecks.pool(dx, dy, g);
    PoolKernels.maxBackward(pool, vector, seg(x), seg(dy), seg(dx), g, accumulate);
  }

  @Override
  public void avgPoolForward(Tensor x, Tensor y, PoolGeom g) {
    OpChecks.pool(x, y, g);
    PoolKernels.avgForward(pool, seg(x), seg(y), g);
  }

  @Override
  public void avgPoolBackward(Tensor dy, Tensor dx, PoolGeom g) {
    OpChecks.pool(dx, dy, g);
    PoolKernels.avgBackward(pool, seg(dy), seg(dx), g);
  }

  @Override
  public void globalAvgPoolForward(Tensor x, Tensor y, int n, int c, int hw) {
    need(x, (long) n * c * hw, "global pool input (n,c,hw)");
    need(y, (long) n * c, "global pool output (n,c)");
    PoolKernels.globalAvgForward(pool, seg(x), seg(y), n * c, hw);
  }

  @Override
  public void globalAvgPoolBackward(Tensor dy, Tensor dx, int n, int c, int hw) {
    need(dx, (long) n * c * hw, "global pool dx (n,c,hw)");
    need(dy, (long) n * c, "global pool dy (n,c)");
    PoolKernels.globalAvgBackward(pool, vector, seg(dy), seg(dx), n * c, hw);
  }

  // ---- channel copies ----

  @Override
  public void copyChannels(
      Tensor src, int srcChannels, int srcOffset, Tensor dst, int dstChannels, int dstOffset,
      int count, int n, int hw, boolean accumulate) {
    OpChecks.copyChannels(src, srcChannels, srcOffset, dst, dstChannels, dstOffset, count, n, hw);
    Elementwise.copyChannels(pool, seg(src), srcChannels, srcOffset, seg(dst), dstChannels, dstOffset, count, n, hw, accumulate);
  }

  @Override
  public void gatherBlock(Tensor src, int srcCols, Tensor dst, int dstCols, int inner, int[] rows, int[] cols) {
    OpChecks.gatherBlock(src, srcCols, dst, dstCols, inner, rows, cols);
    MemorySegment s = seg(src);
    MemorySegment d = seg(dst);
    long bytes = 4L * inner;
    for (int r = 0; r < rows.length; r++) {
      for (int q = 0; q < cols.length; q++) {
        MemorySegment.copy(s, ((long) rows[r] * srcCols + cols[q]) * bytes, d, ((long) r * dstCols + q) * bytes, bytes);
      }
    }
  }

  // ---- classifier and loss ----

  @Override
  public void linearForward(Tensor x, Tensor w, Tensor b, Tensor y, int n, int c, int k) {
    OpChecks.linear(x, w, b, y, n, c, k);
    Linear.forward(pool, vector, work, seg(x), seg(w), b == null ? null : seg(b), seg(y), n, c, k);
  }

  @Override
  public void linearBackward(
      Tensor x, Tensor w, Tensor dy, Tensor dx, Tensor dw, Tensor db, int n, int c, int k) {
    OpChecks.linearBackward(x, w, dy, dx, dw, db, n, c, k);
    Linear.backward(pool, vector, work, seg(x), seg(w), seg(dy), dx == null ? null : seg(dx), seg(dw),
        db == null ? null : seg(db), n, c, k);
  }

  @Override
  public double softmaxCrossEntropy(Tensor logits, int[] labels, Tensor dlogits, int n, int k) {
    OpChecks.crossEntropy(logits, dlogits, labels, n, k);
    return Linear.softmaxCrossEntropy(seg(logits), labels, seg(dlogits), n, k);
  }

  @Override
  public void softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor dlogits, Tensor rowLosses, int n, int k) {
    OpChecks.crossEntropy(logits, labels, dlogits, rowLosses, n, k);
    int[] l = seg(labels).asSlice(0, 4L * n).toArray(ValueLayout.JAVA_INT);
    OpChecks.labels(l, n, k);
    Linear.softmaxCrossEntropy(seg(logits), l, seg(dlogits), seg(rowLosses), n, k);
  }

  // ---- optimiser ----

  @Override
  public void l1Subgradient(Tensor param, Tensor grad, float lambda) {
    need(grad, param.numel(), "l1 gradient");
    Elementwise.l1Subgradient(seg(param), seg(grad), lambda);
  }

  @Override
  public void sgdStep(Tensor param, Tensor grad, Tensor momentum, float lr, float mu, float wd, boolean first) {
    need(grad, param.numel(), "sgd gradient");
    need(momentum, param.numel(), "sgd momentum buffer");
    Elementwise.sgdStep(pool, vector, seg(param), seg(grad), seg(momentum), lr, mu, wd, first);
  }

  @Override
  public void synchronize() {}

  private boolean closed;

  /** Stops the workers and frees the scratch memory; closing twice does nothing. */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    pool.close();
    winograd.close();
  }
}
