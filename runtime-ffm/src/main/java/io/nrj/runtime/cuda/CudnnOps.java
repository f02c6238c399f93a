package io.nrj.runtime.cuda;

import static io.nrj.runtime.bindings.cudnn_h.*;
import static io.nrj.runtime.cuda.Cudnn.check;

import io.nrj.runtime.ConvGeom;
import io.nrj.runtime.PoolGeom;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every cuDNN call of the backend, after llm.c's cudnn_att.cpp: convolutions through the legacy
 * descriptor API, spatial batch norm, ReLU and max pooling. Descriptors and algorithm choices are
 * cached per shape ({@link ConvKey}, {@link PoolGeom}, (n, c, hw)) because creating them is slow
 * and choosing an algorithm with {@code cudnnFind*} is very slow (it times every algorithm);
 * rejuvenation changes the shapes, so the trainer calls {@link #clearPlans()} after re-planning.
 *
 * <p>Forward calls pass beta = 0 (overwrite); backward calls beta = 1, the {@code +=} of the
 * {@code Backend} contract.
 */
final class CudnnOps implements AutoCloseable {
  /** Algorithms asked of cudnnFind* / cudnnGet*_v7; cuDNN 9 has at most 8 per direction. */
  private static final int MAX_ALGOS = 16;

  private final NativeHandle handle;
  private final Workspace workspace;
  private final boolean tf32;
  private final MemorySegment one;
  private final MemorySegment zero;
  private final NativeHandle relu;
  private final Map<ConvKey, ConvPlan> convPlans = new HashMap<>();
  private final Map<PoolGeom, PoolPlan> poolPlans = new HashMap<>();
  private final Map<List<Integer>, NativeHandle> tensors = new HashMap<>();

  /**
   * Descriptors and chosen algorithms of one convolution shape, each algorithm with the math type
   * cudnnFind / cudnnGet reported for it (used in TF32 mode, see {@link #useMathOf}).
   */
  private record ConvPlan(ConvDescriptors d, Choice fwd, Choice data, Choice filter) {
    NativeHandle x() {
      return d.x();
    }

    NativeHandle w() {
      return d.w();
    }

    NativeHandle y() {
      return d.y();
    }

    NativeHandle conv() {
      return d.conv();
    }
  }

  /** One algorithm and the math type it was timed (or chosen by the heuristic) with. */
  private record Choice(int algo, int mathType) {}

  /** The pooling, input and output descriptors of one max-pool shape (null while being built). */
  record PoolPlan(NativeHandle pool, NativeHandle x, NativeHandle y) implements AutoCloseable {
    @Override
    public void close() {
      closeAll(y, x, pool);
    }
  }

  /** The input, filter, output and convolution descriptors of one convolution shape (null while being built). */
  record ConvDescriptors(NativeHandle x, NativeHandle w, NativeHandle y, NativeHandle conv) implements AutoCloseable {
    @Override
    public void close() {
      closeAll(conv, y, w, x);
    }
  }

  private static void closeAll(NativeHandle... handles) {
    for (NativeHandle h : handles) {
      if (h != null) h.close();
    }
  }

  CudnnOps(MemorySegment stream, DeviceMemoryPool memory, boolean tf32, Arena arena) {
    this.handle = NativeHandle.create("cudnnCreate", h -> cudnnCreate(h), Cudnn::check, "cudnnDestroy", h -> cudnnDestroy(h));
    check(cudnnSetStream(handle.get(), stream), "cudnnSetStream");
    this.workspace = new Workspace(memory);
    this.tf32 = tf32;
    this.one = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f);
    this.zero = arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0f);
    this.relu = reluDescriptor();
  }

  /** The ReLU activation descriptor (host-side: needs the library, not a device). */
  static NativeHandle reluDescriptor() {
    NativeHandle relu = NativeHandle.create("cudnnCreateActivationDescriptor", h -> cudnnCreateActivationDescriptor(h),
        Cudnn::check, "cudnnDestroyActivationDescriptor", h -> cudnnDestroyActivationDescriptor(h));
    try {
      check(cudnnSetActivationDescriptor(relu.get(), CUDNN_ACTIVATION_RELU(), CUDNN_NOT_PROPAGATE_NAN(), 0.0),
          "cudnnSetActivationDescriptor");
      return relu;
    } catch (RuntimeException e) {
      relu.close();
      throw e;
    }
  }

  // ---- descriptors ----

  /** A cached NCHW float descriptor of (n, c, h, w). */
  private MemorySegment tensor(int n, int c, int h, int w) {
    return tensors.computeIfAbsent(List.of(n, c, h, w), key -> {
      NativeHandle d = tensorDescriptor();
      check(cudnnSetTensor4dDescriptor(d.get(), CUDNN_TENSOR_NCHW(), CUDNN_DATA_FLOAT(), n, c, h, w),
          "cudnnSetTensor4dDescriptor(" + n + "," + c + "," + h + "," + w + ")");
      return d;
    }).get();
  }

  private static NativeHandle tensorDescriptor() {
    return NativeHandle.create("cudnnCreateTensorDescriptor", h -> cudnnCreateTensorDescriptor(h),
        Cudnn::check, "cudnnDestroyTensorDescriptor", h -> cudnnDestroyTensorDescriptor(h));
  }

  /** A flat descriptor for element-wise calls on {@code numel} elements. */
  private MemorySegment flat(long numel) {
    if (numel > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("cuDNN element-wise call on " + numel + " elements (> 2^31)");
    }
    return tensor(1, 1, 1, (int) numel);
  }

  // ---- convolution ----

  private ConvPlan plan(ConvGeom g) {
    return convPlans.computeIfAbsent(ConvKey.of(g), this::newPlan);
  }

  /**
   * The four descriptors of convolution {@code g} (host-side: needs the library, not a device);
   * on failure none is left behind.
   */
  static ConvDescriptors convDescriptors(ConvGeom g, boolean tf32) {
    NativeHandle x = null, w = null, y = null, conv = null;
    try {
      x = tensorDescriptor();
      check(cudnnSetTensor4dDescriptor(x.get(), CUDNN_TENSOR_NCHW(), CUDNN_DATA_FLOAT(), g.n(), g.c(), g.h(), g.w()),
          "cudnnSetTensor4dDescriptor(x)");
      y = tensorDescriptor();
      check(cudnnSetTensor4dDescriptor(y.get(), CUDNN_TENSOR_NCHW(), CUDNN_DATA_FLOAT(), g.n(), g.k(), g.outH(), g.outW()),
          "cudnnSetTensor4dDescriptor(y)");
      w = NativeHandle.create("cudnnCreateFilterDescriptor", h -> cudnnCreateFilterDescriptor(h),
          Cudnn::check, "cudnnDestroyFilterDescriptor", h -> cudnnDestroyFilterDescriptor(h));
      check(cudnnSetFilter4dDescriptor(w.get(), CUDNN_DATA_FLOAT(), CUDNN_TENSOR_NCHW(), g.k(), g.c(), g.r(), g.s()),
          "cudnnSetFilter4dDescriptor");
      conv = NativeHandle.create("cudnnCreateConvolutionDescriptor", h -> cudnnCreateConvolutionDescriptor(h),
          Cudnn::check, "cudnnDestroyConvolutionDescriptor", h -> cudnnDestroyConvolutionDescriptor(h));
      check(cudnnSetConvolution2dDescriptor(conv.get(), g.pad(), g.pad(), g.stride(), g.stride(), 1, 1,
          CUDNN_CROSS_CORRELATION(), CUDNN_DATA_FLOAT()), "cudnnSetConvolution2dDescriptor");
      // FP32: FMA math forbids tensor cores (cuDNN would otherwise use TF32 on Ampere and later).
      check(cudnnSetConvolutionMathType(conv.get(), tf32 ? CUDNN_TENSOR_OP_MATH() : CUDNN_FMA_MATH()),
          "cudnnSetConvolutionMathType");
      return new ConvDescriptors(x, w, y, conv);
    } catch (RuntimeException e) {
      new ConvDescriptors(x, w, y, conv).close();
      throw e;
    }
  }

  // SLOW: creates four descriptors and benchmarks every algorithm in three directions.
  private ConvPlan newPlan(ConvKey key) {
    ConvDescriptors d = convDescriptors(key.geom(), tf32);
    NativeHandle x = d.x(), w = d.w(), y = d.y(), conv = d.conv();
    try (var arena = Arena.ofConfined()) {
      var count = arena.allocate(ValueLayout.JAVA_INT);
      var perf = arena.allocate(cudnnConvolutionFwdAlgoPerf_t.layout(), MAX_ALGOS);
      Choice fwd = choose("Forward", arena, perf, count,
          cudnnFindConvolutionForwardAlgorithm(handle.get(), x.get(), w.get(), conv.get(), y.get(), MAX_ALGOS, count, perf),
          () -> cudnnGetConvolutionForwardAlgorithm_v7(handle.get(), x.get(), w.get(), conv.get(), y.get(), MAX_ALGOS, count, perf));
      Choice data = choose("BackwardData", arena, perf, count,
          cudnnFindConvolutionBackwardDataAlgorithm(handle.get(), w.get(), y.get(), conv.get(), x.get(), MAX_ALGOS, count, perf),
          () -> cudnnGetConvolutionBackwardDataAlgorithm_v7(handle.get(), w.get(), y.get(), conv.get(), x.get(), MAX_ALGOS, count, perf));
      Choice filter = choose("BackwardFilter", arena, perf, count,
          cudnnFindConvolutionBackwardFilterAlgorithm(handle.get(), x.get(), y.get(), conv.get(), w.get(), MAX_ALGOS, count, perf),
          () -> cudnnGetConvolutionBackwardFilterAlgorithm_v7(handle.get(), x.get(), y.get(), conv.get(), w.get(), MAX_ALGOS, count, perf));
      var bytes = arena.allocate(ValueLayout.JAVA_LONG);
      long need = 0;
      // Each size is asked with the math type the call will run with (useMathOf), as it may differ.
      useMathOf(conv, fwd);
      check(cudnnGetConvolutionForwardWorkspaceSize(handle.get(), x.get(), w.get(), conv.get(), y.get(), fwd.algo(),
          bytes), "cudnnGetConvolutionForwardWorkspaceSize");
      need = Math.max(need, bytes.get(ValueLayout.JAVA_LONG, 0));
      useMathOf(conv, data);
      check(cudnnGetConvolutionBackwardDataWorkspaceSize(handle.get(), w.get(), y.get(), conv.get(), x.get(),
          data.algo(), bytes), "cudnnGetConvolutionBackwardDataWorkspaceSize");
      need = Math.max(need, bytes.get(ValueLayout.JAVA_LONG, 0));
      useMathOf(conv, filter);
      check(cudnnGetConvolutionBackwardFilterWorkspaceSize(handle.get(), x.get(), y.get(), conv.get(), w.get(),
          filter.algo(), bytes), "cudnnGetConvolutionBackwardFilterWorkspaceSize");
      need = Math.max(need, bytes.get(ValueLayout.JAVA_LONG, 0));
      workspace.reserve(need);
      return new ConvPlan(d, fwd, data, filter);
    } catch (RuntimeException e) {
      d.close();
      throw e;
    }
  }

  /**
   * The fastest algorithm that ran and respects the precision: cudnnFind* timings when the find
   * call succeeded, else the cudnnGet*_v7 heuristic (find can fail when it cannot allocate its
   * own scratch memory). All three perf structs share one layout, so one reader serves them.
   */
  private Choice choose(String direction, Arena arena, MemorySegment perf, MemorySegment count,
      int findStatus, java.util.function.IntSupplier heuristic) {
    int status = findStatus;
    String call = "cudnnFindConvolution" + direction + "Algorithm";
    if (status != 0) {
      call = "cudnnGetConvolution" + direction + "Algorithm_v7";
      status = heuristic.getAsInt();
    }
    check(status, call);
    int returned = count.get(ValueLayout.JAVA_INT, 0);
    for (int i = 0; i < returned; i++) {
      MemorySegment p = cudnnConvolutionFwdAlgoPerf_t.asSlice(perf, i);
      boolean ran = cudnnConvolutionFwdAlgoPerf_t.status(p) == 0;
      boolean precise = tf32 || cudnnConvolutionFwdAlgoPerf_t.mathType(p) != CUDNN_TENSOR_OP_MATH();
      if (ran && precise) {
        return new Choice(cudnnConvolutionFwdAlgoPerf_t.algo(p), cudnnConvolutionFwdAlgoPerf_t.mathType(p));
      }
    }
    throw new CudaException(call, 0, "CUDNN_STATUS_SUCCESS",
        "no usable algorithm among " + returned + " returned");
  }

  /**
   * In TF32 mode, sets the descriptor's math type to the one cudnnFind/cudnnGet returned with the
   * chosen algorithm: cuDNN picks the kernel from the (algorithm, descriptor math type) pair, so
   * running a TENSOR_OP-timed algorithm under another math type (or the reverse) runs a different,
   * slower kernel than the one timed (PyTorch's Conv_v7.cpp, "Note [behavior of cudnnFind and
   * cudnnGet]", does the same before every call). In FP32 the descriptor stays CUDNN_FMA_MATH, which
   * is what keeps tensor cores (TF32) out, whatever math type a perf entry names.
   */
  private void useMathOf(NativeHandle conv, Choice choice) {
    if (tf32) {
      check(cudnnSetConvolutionMathType(conv.get(), choice.mathType()), "cudnnSetConvolutionMathType");
    }
  }

  /** y = conv(x, w), overwriting y. */
  void convForward(MemorySegment x, MemorySegment w, MemorySegment y, ConvGeom g) {
    ConvPlan p = plan(g);
    useMathOf(p.conv(), p.fwd());
    check(cudnnConvolutionForward(handle.get(), one, p.x().get(), x, p.w().get(), w, p.conv().get(), p.fwd().algo(),
        workspace.address(), workspace.size(), zero, p.y().get(), y), "cudnnConvolutionForward");
  }

  /** dx += conv_transpose(dy, w). */
  void convBackwardData(MemorySegment dy, MemorySegment w, MemorySegment dx, ConvGeom g) {
    ConvPlan p = plan(g);
    useMathOf(p.conv(), p.data());
    check(cudnnConvolutionBackwardData(handle.get(), one, p.w().get(), w, p.y().get(), dy, p.conv().get(),
        p.data().algo(), workspace.address(), workspace.size(), one, p.x().get(), dx), "cudnnConvolutionBackwardData");
  }

  /** dw += correlation of x and dy. */
  void convBackwardFilter(MemorySegment x, MemorySegment dy, MemorySegment dw, ConvGeom g) {
    ConvPlan p = plan(g);
    useMathOf(p.conv(), p.filter());
    check(cudnnConvolutionBackwardFilter(handle.get(), one, p.x().get(), x, p.y().get(), dy, p.conv().get(),
        p.filter().algo(), workspace.address(), workspace.size(), one, p.w().get(), dw), "cudnnConvolutionBackwardFilter");
  }

  // ---- batch norm (spatial: statistics over n and hw per channel) ----

  /**
   * cuDNN updates the running variance with the unbiased batch variance (divisor n*hw - 1), as
   * PyTorch does on every backend (PyTorch's cuDNN path passes running_var straight through; see
   * pytorch/pytorch#106366, measured on CUDA), and its "resultSaveInvVariance" is in fact
   * 1/sqrt(biased var + eps) (microsoft/onnxruntime#8172), which is what the Backend contract's
   * saveInvStd asks for. The GPU parity test checks both against the CPU backend.
   */
  void batchNormTrain(MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment runMean,
      MemorySegment runVar, MemorySegment y, MemorySegment saveMean, MemorySegment saveInvStd,
      int n, int c, int hw, double eps, double momentum) {
    check(cudnnBatchNormalizationForwardTraining(handle.get(), CUDNN_BATCHNORM_SPATIAL(), one, zero,
        tensor(n, c, hw, 1), x, tensor(n, c, hw, 1), y, tensor(1, c, 1, 1), gamma, beta, momentum,
        runMean, runVar, eps, saveMean, saveInvStd), "cudnnBatchNormalizationForwardTraining");
  }

  void batchNormEval(MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment runMean,
      MemorySegment runVar, MemorySegment y, int n, int c, int hw, double eps) {
    check(cudnnBatchNormalizationForwardInference(handle.get(), CUDNN_BATCHNORM_SPATIAL(), one, zero,
        tensor(n, c, hw, 1), x, tensor(n, c, hw, 1), y, tensor(1, c, 1, 1), gamma, beta, runMean, runVar, eps),
        "cudnnBatchNormalizationForwardInference");
  }

  /**
   * dx, dgamma, dbeta += (betaDataDiff = betaParamDiff = 1). The epsilon is only used when the
   * saved statistics are absent; they are always passed, so its value does not matter.
   */
  void batchNormBackward(MemorySegment x, MemorySegment dy, MemorySegment gamma, MemorySegment saveMean,
      MemorySegment saveInvStd, MemorySegment dx, MemorySegment dgamma, MemorySegment dbeta, int n, int c, int hw) {
    check(cudnnBatchNormalizationBackward(handle.get(), CUDNN_BATCHNORM_SPATIAL(), one, one, one, one,
        tensor(n, c, hw, 1), x, tensor(n, c, hw, 1), dy, tensor(n, c, hw, 1), dx, tensor(1, c, 1, 1),
        gamma, dgamma, dbeta, 1e-5, saveMean, saveInvStd), "cudnnBatchNormalizationBackward");
  }

  // ---- ReLU ----

  void reluForward(MemorySegment x, MemorySegment y, long numel) {
    MemorySegment d = flat(numel);
    check(cudnnActivationForward(handle.get(), relu.get(), one, d, x, zero, d, y), "cudnnActivationForward");
  }

  /** dx += dy where y > 0; y stands in for x as well, since y > 0 exactly where x > 0. */
  void reluBackward(MemorySegment y, MemorySegment dy, MemorySegment dx, long numel) {
    MemorySegment d = flat(numel);
    check(cudnnActivationBackward(handle.get(), relu.get(), one, d, y, d, dy, d, y, one, d, dx),
        "cudnnActivationBackward");
  }

  // ---- max pooling ----

  private PoolPlan pool(PoolGeom g) {
    return poolPlans.computeIfAbsent(g, CudnnOps::poolDescriptors);
  }

  /** The descriptors of max pooling {@code g} (host-side); on failure none is left behind. */
  static PoolPlan poolDescriptors(PoolGeom g) {
    NativeHandle pool = NativeHandle.create("cudnnCreatePoolingDescriptor", h -> cudnnCreatePoolingDescriptor(h),
        Cudnn::check, "cudnnDestroyPoolingDescriptor", h -> cudnnDestroyPoolingDescriptor(h));
    NativeHandle x = null, y = null;
    try {
      check(cudnnSetPooling2dDescriptor(pool.get(), CUDNN_POOLING_MAX(), CUDNN_NOT_PROPAGATE_NAN(), g.kernel(),
          g.kernel(), g.pad(), g.pad(), g.stride(), g.stride()), "cudnnSetPooling2dDescriptor");
      x = tensorDescriptor();
      check(cudnnSetTensor4dDescriptor(x.get(), CUDNN_TENSOR_NCHW(), CUDNN_DATA_FLOAT(), g.n(), g.c(), g.h(), g.w()),
          "cudnnSetTensor4dDescriptor(x)");
      y = tensorDescriptor();
      check(cudnnSetTensor4dDescriptor(y.get(), CUDNN_TENSOR_NCHW(), CUDNN_DATA_FLOAT(), g.n(), g.c(), g.outH(), g.outW()),
          "cudnnSetTensor4dDescriptor(y)");
      return new PoolPlan(pool, x, y);
    } catch (RuntimeException e) {
      new PoolPlan(pool, x, y).close();
      throw e;
    }
  }

  void maxPoolForward(MemorySegment x, MemorySegment y, PoolGeom g) {
    PoolPlan p = pool(g);
    check(cudnnPoolingForward(handle.get(), p.pool().get(), one, p.x().get(), x, zero, p.y().get(), y),
        "cudnnPoolingForward");
  }

  /** Forgets every cached descriptor and algorithm (after rejuvenation changed the shapes). */
  void clearPlans() {
    convPlans.values().forEach(p -> p.d().close());
    convPlans.clear();
    poolPlans.values().forEach(PoolPlan::close);
    poolPlans.clear();
    tensors.values().forEach(NativeHandle::close);
    tensors.clear();
  }

  /** Bytes of the convolution workspace. */
  long workspaceBytes() {
    return workspace.size();
  }

  @Override
  public void close() {
    clearPlans();
    relu.close();
    workspace.close();
    handle.close();
  }
}
