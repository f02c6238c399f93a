package io.nrj.runtime.cuda;

import static io.nrj.runtime.bindings.cudart_h.cudaDevAttrComputeCapabilityMajor;
import static io.nrj.runtime.bindings.cudart_h.cudaDevAttrComputeCapabilityMinor;
import static io.nrj.runtime.bindings.cudart_h.cudaDevAttrMultiProcessorCount;
import static io.nrj.runtime.bindings.cudart_h.cudaDeviceGetAttribute;
import static io.nrj.runtime.bindings.cudart_h.cudaMemcpyAsync;
import static io.nrj.runtime.bindings.cudart_h.cudaMemcpyDeviceToDevice;
import static io.nrj.runtime.bindings.cudart_h.cudaMemcpyDeviceToHost;
import static io.nrj.runtime.bindings.cudart_h.cudaMemcpyHostToDevice;
import static io.nrj.runtime.bindings.cudart_h.cudaMemsetAsync;
import static io.nrj.runtime.bindings.cudart_h.cudaSetDevice;
import static io.nrj.runtime.bindings.cudart_h.cudaStreamCreateWithFlags;
import static io.nrj.runtime.bindings.cudart_h.cudaStreamDestroy;
import static io.nrj.runtime.bindings.cudart_h.cudaStreamNonBlocking;
import static io.nrj.runtime.bindings.cudart_h.cudaStreamSynchronize;
import static io.nrj.runtime.OpChecks.need;
import static io.nrj.runtime.cuda.Cuda.check;

import io.nrj.runtime.Backend;
import io.nrj.runtime.ConvGeom;
import io.nrj.runtime.OpChecks;
import io.nrj.runtime.PoolGeom;
import io.nrj.runtime.RecordedWork;
import io.nrj.runtime.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The GPU {@link Backend}: cuDNN for convolutions, batch norm, ReLU and max pooling ({@link
 * CudnnOps}), cuBLAS SGEMM for the classifier ({@link CublasOps}), and NVRTC-compiled kernels for
 * everything else ({@link Kernels}). All work is queued on one non-blocking stream, so calls
 * return before the GPU finishes; {@link #download} and {@link #synchronize} wait. Device memory
 * comes from a caching {@link DeviceMemoryPool}.
 *
 * <p>FP32 by default: cuDNN runs with {@code CUDNN_FMA_MATH} and cuBLAS with its default FP32
 * math, so results match the CPU backend to float rounding. TF32 ({@code tf32 = true}) lets both
 * use tensor cores, trading about 3 decimal digits of the products for speed.
 *
 * <p>Not thread-safe: one trainer thread drives one backend.
 */
public final class CudaBackend implements Backend {
  private final Arena arena = Arena.ofShared();
  private final NativeHandle stream;
  private final DeviceMemoryPool memory = new DeviceMemoryPool();
  private final CudnnOps cudnn;
  private final CublasOps cublas;
  private final Kernels kernels;
  private final boolean tf32;
  private final String device;

  private CudaBackend(int ordinal, boolean tf32) {
    this.tf32 = tf32;
    check(cudaSetDevice(ordinal), "cudaSetDevice(" + ordinal + ")");
    int major = attribute(cudaDevAttrComputeCapabilityMajor(), ordinal);
    int minor = attribute(cudaDevAttrComputeCapabilityMinor(), ordinal);
    int sms = attribute(cudaDevAttrMultiProcessorCount(), ordinal);
    this.device = "cuda:" + ordinal + " (sm_" + major + minor + ", " + sms + " SMs, " + (tf32 ? "TF32" : "FP32") + ")";
    // Each part is released again if a later one fails, so a failed start (which --device auto
    // survives by falling back to the CPU) leaks nothing.
    var parts = new java.util.ArrayDeque<AutoCloseable>(List.of(memory, arena));
    try {
      NativeHandle s = push(parts, NativeHandle.create("cudaStreamCreateWithFlags",
          h -> cudaStreamCreateWithFlags(h, cudaStreamNonBlocking()), Cuda::check, "cudaStreamDestroy",
          h -> cudaStreamDestroy(h)));
      Kernels k = push(parts, Kernels.compile(major, minor, sms));
      CudnnOps d = push(parts, new CudnnOps(s.get(), memory, tf32, arena));
      CublasOps b = push(parts, new CublasOps(s.get(), tf32, arena, memory));
      this.stream = s;
      this.kernels = k;
      this.cudnn = d;
      this.cublas = b;
    } catch (RuntimeException e) {
      while (!parts.isEmpty()) {
        try {
          parts.pop().close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  private static <T extends AutoCloseable> T push(java.util.Deque<AutoCloseable> parts, T part) {
    parts.push(part);
    return part;
  }

  /**
   * Opens device 0.
   *
   * @throws CudaUnavailableException when a library is missing or there is no usable device
   */
  public static CudaBackend open(boolean tf32) {
    CudaProbe.Result probe = CudaProbe.probe();
    if (!probe.usable()) {
      throw new CudaUnavailableException(probe.problems());
    }
    return new CudaBackend(0, tf32);
  }

  private static int attribute(int attribute, int ordinal) {
    try (var a = Arena.ofConfined()) {
      var value = a.allocate(ValueLayout.JAVA_INT);
      check(cudaDeviceGetAttribute(value, attribute, ordinal), "cudaDeviceGetAttribute(" + attribute + ")");
      return value.get(ValueLayout.JAVA_INT, 0);
    }
  }

  @Override
  public String name() {
    return "cuda";
  }

  /** The device and precision, e.g. {@code cuda:0 (sm_90, 132 SMs, FP32)}. */
  public String description() {
    return device;
  }

  public boolean tf32() {
    return tf32;
  }

  /** The caching allocator (peak bytes for {@code nrj bench}; {@code trim} after rejuvenation). */
  public DeviceMemoryPool memory() {
    return memory;
  }

  /**
   * Records the work {@code step} queues into a {@link CudaGraph} instead of running it (see there
   * for what may be recorded); nothing runs until {@link CudaGraph#replay()}.
   */
  public CudaGraph capture(Runnable step) {
    return CudaGraph.capture(s(), step);
  }

  /** Drops cached cuDNN descriptors and algorithms and returns cached memory (after re-planning). */
  @Override
  public void replan() {
    synchronize();
    cudnn.clearPlans();
    memory.trim();
  }

  private static MemorySegment p(Tensor t) {
    return ((CudaTensor) t).ptr();
  }

  private MemorySegment s() {
    return stream.get();
  }

  // ---- memory ----

  @Override
  public Tensor allocate(int... shape) {
    long numel = CudaTensor.numel(shape);
    DeviceBuffer buffer = memory.allocate(numel * Float.BYTES);
    check(cudaMemsetAsync(buffer.address(), 0, numel * Float.BYTES, s()), "cudaMemsetAsync");
    return new CudaTensor(buffer, buffer.address(), numel, shape);
  }

  @Override
  public void upload(Tensor dst, float[] src) {
    requireSize(dst, src.length, "upload");
    upload(dst, MemorySegment.ofArray(src));
  }

  @Override
  public void upload(Tensor dst, MemorySegment hostSrc) {
    long bytes = dst.numel() * Float.BYTES;
    if (hostSrc.byteSize() != bytes) {
      throw new IllegalArgumentException("upload: host segment has " + hostSrc.byteSize() + " bytes, tensor "
          + dst + " needs " + bytes);
    }
    try (var staging = Arena.ofConfined()) {
      MemorySegment src = hostSrc.isNative() ? hostSrc : staging.allocate(bytes).copyFrom(hostSrc);
      check(cudaMemcpyAsync(p(dst), src, bytes, cudaMemcpyHostToDevice(), s()), "cudaMemcpyAsync(H2D)");
      // The host memory may be freed or reused as soon as we return.
      check(cudaStreamSynchronize(s()), "cudaStreamSynchronize");
    }
  }

  @Override
  public float[] download(Tensor src) {
    float[] out = new float[Math.toIntExact(src.numel())];
    try (var staging = Arena.ofConfined()) {
      MemorySegment host = staging.allocate(src.numel() * Float.BYTES);
      download(src, host);
      MemorySegment.ofArray(out).copyFrom(host);
    }
    return out;
  }

  @Override
  public void download(Tensor src, MemorySegment hostDst) {
    long bytes = src.numel() * Float.BYTES;
    if (hostDst.byteSize() != bytes) {
      throw new IllegalArgumentException("download: host segment has " + hostDst.byteSize() + " bytes, tensor "
          + src + " needs " + bytes);
    }
    try (var staging = Arena.ofConfined()) {
      MemorySegment dst = hostDst.isNative() ? hostDst : staging.allocate(bytes);
      check(cudaMemcpyAsync(dst, p(src), bytes, cudaMemcpyDeviceToHost(), s()), "cudaMemcpyAsync(D2H)");
      check(cudaStreamSynchronize(s()), "cudaStreamSynchronize");
      if (!hostDst.isNative()) {
        hostDst.asSlice(0, bytes).copyFrom(dst);
      }
    }
  }

  @Override
  public void copy(Tensor src, Tensor dst) {
    requireSize(dst, src.numel(), "copy");
    check(cudaMemcpyAsync(p(dst), p(src), src.numel() * Float.BYTES, cudaMemcpyDeviceToDevice(), s()),
        "cudaMemcpyAsync(D2D)");
  }

  @Override
  public void fill(Tensor t, float value) {
    if (value == 0f && Float.floatToRawIntBits(value) == 0) {
      check(cudaMemsetAsync(p(t), 0, t.numel() * Float.BYTES, s()), "cudaMemsetAsync");
    } else {
      kernels.launch("nrj_fill", s(), t.numel(), p(t), value, t.numel());
    }
  }

  private static void requireSize(Tensor t, long numel, String op) {
    if (t.numel() != numel) {
      throw new IllegalArgumentException(op + ": tensor " + t + " has " + t.numel() + " elements, source " + numel);
    }
  }

  // ---- convolution ----

  @Override
  public void convForward(Tensor x, Tensor w, Tensor y, ConvGeom g) {
    OpChecks.conv(x, w, y, g);
    cudnn.convForward(p(x), p(w), p(y), g);
  }

  @Override
  public void convBackwardData(Tensor dy, Tensor w, Tensor dx, ConvGeom g) {
    OpChecks.conv(dx, w, dy, g);
    cudnn.convBackwardData(p(dy), p(w), p(dx), g);
  }

  @Override
  public void convBackwardFilter(Tensor x, Tensor dy, Tensor dw, ConvGeom g) {
    OpChecks.conv(x, dw, dy, g);
    cudnn.convBackwardFilter(p(x), p(dy), p(dw), g);
  }

  // ---- batch norm ----

  @Override
  public void batchNormForwardTrain(Tensor x, Tensor gamma, Tensor beta, Tensor runMean, Tensor runVar,
      Tensor y, Tensor saveMean, Tensor saveInvStd, int n, int c, int hw, double eps, double momentum) {
    OpChecks.batchNorm(x, y, n, c, hw, gamma, beta, runMean, runVar, saveMean, saveInvStd);
    cudnn.batchNormTrain(p(x), p(gamma), p(beta), p(runMean), p(runVar), p(y), p(saveMean), p(saveInvStd),
        n, c, hw, eps, momentum);
  }

  @Override
  public void batchNormForwardEval(Tensor x, Tensor gamma, Tensor beta, Tensor runMean, Tensor runVar,
      Tensor y, int n, int c, int hw, double eps) {
    OpChecks.batchNorm(x, y, n, c, hw, gamma, beta, runMean, runVar);
    cudnn.batchNormEval(p(x), p(gamma), p(beta), p(runMean), p(runVar), p(y), n, c, hw, eps);
  }

  @Override
  public void batchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
      Tensor dx, Tensor dgamma, Tensor dbeta, int n, int c, int hw) {
    OpChecks.batchNormBackward(x, dy, dx, n, c, hw, gamma, saveMean, saveInvStd, dgamma, dbeta);
    cudnn.batchNormBackward(p(x), p(dy), p(gamma), p(saveMean), p(saveInvStd), p(dx), p(dgamma), p(dbeta), n, c, hw);
  }

  // ---- element-wise ----

  @Override
  public void reluForward(Tensor x, Tensor y) {
    need(y, x.numel(), "relu output");
    cudnn.reluForward(p(x), p(y), x.numel());
  }

  @Override
  public void reluBackward(Tensor y, Tensor dy, Tensor dx) {
    need(dy, y.numel(), "relu dy");
    need(dx, y.numel(), "relu dx");
    cudnn.reluBackward(p(y), p(dy), p(dx), y.numel());
  }

  @Override
  public void add(Tensor a, Tensor b, Tensor y) {
    need(b, a.numel(), "add operand b");
    need(y, a.numel(), "add output");
    kernels.launch("nrj_add", s(), y.numel(), p(a), p(b), p(y), y.numel());
  }

  @Override
  public void axpy(float alpha, Tensor src, Tensor dst) {
    need(dst, src.numel(), "axpy destination");
    kernels.launch("nrj_axpy", s(), dst.numel(), alpha, p(src), p(dst), dst.numel());
  }

  @Override
  public void multiply(Tensor t, Tensor mask) {
    need(mask, t.numel(), "multiply mask");
    kernels.launch("nrj_multiply", s(), t.numel(), p(t), p(mask), t.numel());
  }

  @Override
  public void gateForward(Tensor a, Tensor c, Tensor y) {
    need(c, a.numel(), "gate input c");
    need(y, a.numel(), "gate output");
    kernels.launch("nrj_gate_forward", s(), y.numel(), p(a), p(c), p(y), y.numel());
  }

  @Override
  public void gateBackward(Tensor a, Tensor c, Tensor dy, Tensor da, Tensor dc) {
    for (Tensor t : new Tensor[] {c, dy, da, dc}) need(t, a.numel(), "gate backward tensor");
    kernels.launch("nrj_gate_backward", s(), a.numel(), p(a), p(c), p(dy), p(da), p(dc), a.numel());
  }

  // ---- pooling ----

  @Override
  public void maxPoolForward(Tensor x, Tensor y, PoolGeom g) {
    OpChecks.pool(x, y, g);
    cudnn.maxPoolForward(p(x), p(y), g);
  }

  @Override
  public void maxPoolBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, PoolGeom g) {
    OpChecks.pool(x, y, g);
    OpChecks.pool(dx, dy, g);
    // Our kernel, not cuDNN's: the gradient must go to the first of tied maxima (see kernels.cu).
    long planes = (long) g.n() * g.c();
    kernels.launch("nrj_max_pool_backward", s(), planes * g.h() * g.w(), p(x), p(dy), p(dx), planes, g.h(), g.w(),
        g.outH(), g.outW(), g.kernel(), g.stride(), g.pad());
  }

  @Override
  public void avgPoolForward(Tensor x, Tensor y, PoolGeom g) {
    OpChecks.pool(x, y, g);
    long planes = (long) g.n() * g.c();
    kernels.launch("nrj_avg_pool_forward", s(), planes * g.outH() * g.outW(), p(x), p(y), planes, g.h(), g.w(),
        g.outH(), g.outW(), g.kernel(), g.stride(), g.pad());
  }

  @Override
  public void avgPoolBackward(Tensor dy, Tensor dx, PoolGeom g) {
    OpChecks.pool(dx, dy, g);
    long planes = (long) g.n() * g.c();
    kernels.launch("nrj_avg_pool_backward", s(), planes * g.h() * g.w(), p(dy), p(dx), planes, g.h(), g.w(),
        g.outH(), g.outW(), g.kernel(), g.stride(), g.pad());
  }

  @Override
  public void globalAvgPoolForward(Tensor x, Tensor y, int n, int c, int hw) {
    need(x, (long) n * c * hw, "global pool input (n,c,hw)");
    need(y, (long) n * c, "global pool output (n,c)");
    long rows = (long) n * c;
    kernels.launch("nrj_global_avg_pool_forward", s(), rows, p(x), p(y), rows, hw);
  }

  @Override
  public void globalAvgPoolBackward(Tensor dy, Tensor dx, int n, int c, int hw) {
    need(dx, (long) n * c * hw, "global pool dx (n,c,hw)");
    need(dy, (long) n * c, "global pool dy (n,c)");
    long rows = (long) n * c;
    kernels.launch("nrj_global_avg_pool_backward", s(), rows * hw, p(dy), p(dx), rows, hw);
  }

  // ---- channel copies ----

  @Override
  public void copyChannels(Tensor src, int srcChannels, int srcOffset, Tensor dst, int dstChannels,
      int dstOffset, int count, int n, int hw, boolean accumulate) {
    OpChecks.copyChannels(src, srcChannels, srcOffset, dst, dstChannels, dstOffset, count, n, hw);
    kernels.launch("nrj_copy_channels", s(), (long) n * count * hw, p(src), srcChannels, srcOffset, p(dst),
        dstChannels, dstOffset, count, n, hw, accumulate ? 1 : 0);
  }

  @Override
  public void gatherBlock(Tensor src, int srcCols, Tensor dst, int dstCols, int inner, int[] rows, int[] cols) {
    OpChecks.gatherBlock(src, srcCols, dst, dstCols, inner, rows, cols);
    if (rows.length == 0 || cols.length == 0) return;
    // The indices travel once (rows then cols); the weights stay on the device. Rejuvenation only.
    try (var host = Arena.ofConfined();
        DeviceBuffer indices = memory.allocate((long) (rows.length + cols.length) * Integer.BYTES)) {
      MemorySegment hostIndices = host.allocate(ValueLayout.JAVA_INT, rows.length + cols.length);
      MemorySegment.copy(rows, 0, hostIndices, ValueLayout.JAVA_INT, 0, rows.length);
      MemorySegment.copy(cols, 0, hostIndices, ValueLayout.JAVA_INT, (long) rows.length * Integer.BYTES, cols.length);
      check(cudaMemcpyAsync(indices.address(), hostIndices, hostIndices.byteSize(), cudaMemcpyHostToDevice(), s()),
          "cudaMemcpyAsync(gather indices)");
      MemorySegment colsOnDevice = MemorySegment.ofAddress(indices.address().address() + (long) rows.length * Integer.BYTES);
      kernels.launch("nrj_gather_block", s(), (long) rows.length * cols.length * inner, p(src), srcCols, p(dst),
          dstCols, inner, indices.address(), rows.length, colsOnDevice, cols.length);
      check(cudaStreamSynchronize(s()), "cudaStreamSynchronize"); // before the host indices go
    }
  }

  // ---- classifier and loss ----

  @Override
  public void linearForward(Tensor x, Tensor w, Tensor b, Tensor y, int n, int c, int k) {
    OpChecks.linear(x, w, b, y, n, c, k);
    // The GEMM accumulates (beta = 1) onto y, so y first holds the bias rows, or zeros without a
    // bias (the CPU backend accepts a null bias too).
    if (b == null) {
      check(cudaMemsetAsync(p(y), 0, (long) n * k * Float.BYTES, s()), "cudaMemsetAsync");
    } else {
      kernels.launch("nrj_broadcast_rows", s(), (long) n * k, p(b), p(y), n, k);
    }
    cublas.gemmForward(p(x), p(w), p(y), n, c, k);
  }

  @Override
  public void linearBackward(Tensor x, Tensor w, Tensor dy, Tensor dx, Tensor dw, Tensor db, int n, int c, int k) {
    OpChecks.linearBackward(x, w, dy, dx, dw, db, n, c, k);
    if (dx != null) {
      cublas.gemmBackwardData(p(w), p(dy), p(dx), n, c, k);
    }
    cublas.gemmBackwardWeights(p(x), p(dy), p(dw), n, c, k);
    if (db != null) {
      kernels.launch("nrj_column_sums", s(), k, p(dy), p(db), n, k);
    }
  }

  @Override
  public double softmaxCrossEntropy(Tensor logits, int[] labels, Tensor dlogits, int n, int k) {
    // Checked here as on the CPU: the kernel indexes logits by label, so a bad label would read
    // outside the tensor, and a short array would make the H2D copy read past the host labels.
    OpChecks.crossEntropy(logits, dlogits, labels, n, k);
    try (var host = Arena.ofConfined();
        DeviceBuffer deviceLabels = memory.allocate((long) n * Integer.BYTES);
        DeviceBuffer losses = memory.allocate((long) n * Float.BYTES)) {
      MemorySegment hostLabels = host.allocateFrom(ValueLayout.JAVA_INT, labels);
      check(cudaMemcpyAsync(deviceLabels.address(), hostLabels, (long) n * Integer.BYTES, cudaMemcpyHostToDevice(), s()),
          "cudaMemcpyAsync(labels)");
      kernels.launch("nrj_softmax_cross_entropy", s(), n, p(logits), deviceLabels.address(), p(dlogits),
          losses.address(), n, k);
      MemorySegment hostLosses = host.allocate(ValueLayout.JAVA_FLOAT, n);
      check(cudaMemcpyAsync(hostLosses, losses.address(), (long) n * Float.BYTES, cudaMemcpyDeviceToHost(), s()),
          "cudaMemcpyAsync(losses)");
      check(cudaStreamSynchronize(s()), "cudaStreamSynchronize");
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += hostLosses.getAtIndex(ValueLayout.JAVA_FLOAT, i);
      }
      return sum / n;
    }
  }

  @Override
  public void softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor dlogits, Tensor rowLosses, int n, int k) {
    OpChecks.crossEntropy(logits, labels, dlogits, rowLosses, n, k); // label values: checked at upload (StepRunner)
    kernels.launch("nrj_softmax_cross_entropy", s(), n, p(logits), p(labels), p(dlogits), p(rowLosses), n, k);
  }

  @Override
  public RecordedWork record(Runnable work) {
    return capture(work);
  }

  // ---- optimiser ----

  @Override
  public void l1Subgradient(Tensor param, Tensor grad, float lambda) {
    need(grad, param.numel(), "l1 gradient");
    kernels.launch("nrj_l1_subgradient", s(), param.numel(), p(param), p(grad), lambda, param.numel());
  }

  @Override
  public void sgdStep(Tensor param, Tensor grad, Tensor momentum, float lr, float mu, float wd, boolean first) {
    need(grad, param.numel(), "sgd gradient");
    need(momentum, param.numel(), "sgd momentum buffer");
    kernels.launch("nrj_sgd_step", s(), param.numel(), p(param), p(grad), p(momentum), lr, mu, wd, first ? 1 : 0,
        param.numel());
  }

  @Override
  public void synchronize() {
    check(cudaStreamSynchronize(s()), "cudaStreamSynchronize");
  }

  @Override
  public void close() {
    try {
      synchronize();
    } finally {
      kernels.close();
      cublas.close();
      cudnn.close();
      memory.close();
      stream.close();
      arena.close();
    }
  }
}
