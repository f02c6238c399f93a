package io.nrj.runtime;

import java.lang.foreign.MemorySegment;

/**
 * The operations a trainer needs, on one device. Implemented by the pure-Java CPU backend (the
 * reference) and the CUDA backend (cuDNN/cuBLAS/NVRTC through FFM).
 *
 * <p>Conventions every implementation keeps, so the two are interchangeable:
 *
 * <ul>
 *   <li>float32, row-major; activations NCHW, conv weights OIHW, linear weights (out, in).
 *   <li>Forward operations <b>overwrite</b> their outputs.
 *   <li>Backward operations <b>accumulate</b> ({@code +=}) into every gradient they produce (dx,
 *       dw, db, dgamma, dbeta), so fan-out in the graph needs no extra adds. Callers zero
 *       gradients first.
 *   <li>In-place forward (x == y) is allowed for element-wise operations only.
 *   <li>Operations may be asynchronous; {@link #download} and {@link #synchronize} wait.
 * </ul>
 */
public interface Backend extends AutoCloseable {
  /** "cpu" or "cuda". */
  String name();

  // ---- memory ----

  /** A new zero-filled tensor. */
  Tensor allocate(int... shape);

  void upload(Tensor dst, float[] src);

  void upload(Tensor dst, MemorySegment hostSrc);

  float[] download(Tensor src);

  void download(Tensor src, MemorySegment hostDst);

  /** dst = src (same numel). */
  void copy(Tensor src, Tensor dst);

  void fill(Tensor t, float value);

  // ---- convolution: x (n,c,h,w), w (k,c,r,s), y (n,k,outH,outW) ----

  void convForward(Tensor x, Tensor w, Tensor y, ConvGeom g);

  /** dx += conv_transpose(dy, w). */
  void convBackwardData(Tensor dy, Tensor w, Tensor dx, ConvGeom g);

  /**
   * {@link #convBackwardData} that <b>overwrites</b> dx when {@code accumulate} is false (dx is the
   * first gradient written into that buffer, see the network's memory plan). The default zeroes dx
   * first; backends write it directly.
   */
  default void convBackwardData(Tensor dy, Tensor w, Tensor dx, ConvGeom g, boolean accumulate) {
    if (!accumulate) fill(dx, 0f);
    convBackwardData(dy, w, dx, g);
  }

  /** dw += correlation of x and dy. */
  void convBackwardFilter(Tensor x, Tensor dy, Tensor dw, ConvGeom g);

  // ---- batch norm over (n, c, hw); gamma, beta, running stats and saved stats are (c) ----

  /**
   * Training mode: normalises with batch statistics, saves mean and 1/sqrt(var+eps) for backward,
   * and updates running stats as PyTorch does: running = (1-momentum)*running + momentum*batch, with
   * the unbiased batch variance in running_var.
   */
  void batchNormForwardTrain(
      Tensor x, Tensor gamma, Tensor beta, Tensor runMean, Tensor runVar, Tensor y,
      Tensor saveMean, Tensor saveInvStd, int n, int c, int hw, double eps, double momentum);

  void batchNormForwardEval(
      Tensor x, Tensor gamma, Tensor beta, Tensor runMean, Tensor runVar, Tensor y,
      int n, int c, int hw, double eps);

  /** dx, dgamma, dbeta +=. */
  void batchNormBackward(
      Tensor x, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
      Tensor dx, Tensor dgamma, Tensor dbeta, int n, int c, int hw);

  /**
   * Train-mode batch norm followed, when {@code relu}, by ReLU: y = max(bn(x), 0), with the same
   * saved and running statistics as {@link #batchNormForwardTrain}. The default runs the two
   * operations; a backend may fuse them (the CPU backend does: two passes over x instead of five).
   * {@code saveAffine} (2c floats, or null) is where a backend may keep each channel's scale and
   * shift, y = max(x*scale + shift, 0), for {@link #reluBatchNormBackward} to recompute the ReLU's
   * mask from x instead of reading y (the CPU backend does: one tensor fewer to read in each of its
   * two passes); the default leaves it alone.
   */
  default void batchNormReluForwardTrain(
      Tensor x, Tensor gamma, Tensor beta, Tensor runMean, Tensor runVar, Tensor y,
      Tensor saveMean, Tensor saveInvStd, Tensor saveAffine, int n, int c, int hw, double eps, double momentum, boolean relu) {
    batchNormForwardTrain(x, gamma, beta, runMean, runVar, y, saveMean, saveInvStd, n, c, hw, eps, momentum);
    if (relu) reluForward(y, y);
  }

  /**
   * Train-mode batch norm plus a residual, then ReLU when {@code relu}: y = max(bn(x) + r, 0) (or
   * bn(x) + r), with the same saved and running statistics as {@link #batchNormForwardTrain}: a
   * ResNet block's last BN, its sum with the shortcut and the ReLU after it. y must not share
   * memory with r or x. The default runs BN, then the sum; the CPU backend adds the residual in
   * BN's second pass, so bn(x) is never written and read back (the same bits either way).
   */
  default void batchNormAddReluForwardTrain(
      Tensor x, Tensor gamma, Tensor beta, Tensor runMean, Tensor runVar, Tensor r, Tensor y,
      Tensor saveMean, Tensor saveInvStd, int n, int c, int hw, double eps, double momentum, boolean relu) {
    batchNormReluForwardTrain(x, gamma, beta, runMean, runVar, y, saveMean, saveInvStd, null, n, c, hw, eps, momentum, false);
    if (relu) addRelu(y, r, y);
    else add(y, r, y);
  }

  /**
   * The backward of {@link #batchNormReluForwardTrain}: the gradient dy of y is masked by y &gt; 0
   * when {@code relu}, then taken through batch norm. Unlike the other backward operations this one
   * <b>overwrites</b> dx (a layer-private temporary); dgamma and dbeta are accumulated. {@code
   * scratch} (the size of x) may hold the masked gradient. {@code saveAffine}: the forward's, or
   * null (then the mask is read from y). The default runs the unfused operations.
   */
  default void reluBatchNormBackward(
      Tensor x, Tensor y, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd, Tensor saveAffine,
      Tensor dx, Tensor dgamma, Tensor dbeta, int n, int c, int hw, boolean relu, Tensor scratch) {
    Tensor dbn = dy;
    if (relu) {
      fill(scratch, 0f);
      reluBackward(y, dy, scratch);
      dbn = scratch;
    }
    fill(dx, 0f);
    batchNormBackward(x, dbn, gamma, saveMean, saveInvStd, dx, dgamma, dbeta, n, c, hw);
  }

  // ---- element-wise ----

  /** y = max(x, 0); x == y allowed. */
  void reluForward(Tensor x, Tensor y);

  /** dx += dy where y > 0. */
  void reluBackward(Tensor y, Tensor dy, Tensor dx);

  /**
   * Whether {@link #reluMaskInPlace} is available; networks then share one buffer between a
   * ReLU's input and output gradients.
   */
  default boolean supportsReluMaskInPlace() {
    return false;
  }

  /** g = g where y &gt; 0, else 0, in place (the ReLU backward into its own gradient buffer). */
  default void reluMaskInPlace(Tensor y, Tensor g) {
    throw new UnsupportedOperationException(name() + " backend has no in-place ReLU mask");
  }

  /** y = a + b. */
  void add(Tensor a, Tensor b, Tensor y);

  /** y = max(a + b, 0): a residual sum and the ReLU after it in one pass; y may be a or b. */
  default void addRelu(Tensor a, Tensor b, Tensor y) {
    add(a, b, y);
    reluForward(y, y);
  }

  /**
   * g = g where y &gt; 0, else 0, in place (as {@link #reluMaskInPlace}), then dst = g when {@code
   * overwrite}, else dst += g: the backward of a ReLU after a residual sum and the sum's copy of
   * the result into the shortcut's gradient, in one pass.
   */
  default void reluMaskCopy(Tensor y, Tensor g, Tensor dst, boolean overwrite) {
    reluMaskInPlace(y, g);
    if (overwrite) copy(g, dst);
    else axpy(1f, g, dst);
  }

  /** dst += alpha * src. */
  void axpy(float alpha, Tensor src, Tensor dst);

  /** t *= mask, element-wise (masks gradients of removed cross blocks, spec §6.5). */
  void multiply(Tensor t, Tensor mask);

  /** Cross-attention gate (spec §6.2): y = a + 2*sigmoid(a)*c. */
  void gateForward(Tensor a, Tensor c, Tensor y);

  /** da += dy*(1 + 2*sigmoid'(a)*c); dc += dy*2*sigmoid(a). */
  void gateBackward(Tensor a, Tensor c, Tensor dy, Tensor da, Tensor dc);

  // ---- pooling ----

  void maxPoolForward(Tensor x, Tensor y, PoolGeom g);

  /** dx += dy routed to the (first) max of each window. */
  void maxPoolBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, PoolGeom g);

  /** {@link #maxPoolBackward} that overwrites dx when {@code accumulate} is false (see above). */
  default void maxPoolBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, PoolGeom g, boolean accumulate) {
    if (!accumulate) fill(dx, 0f);
    maxPoolBackward(x, y, dy, dx, g);
  }

  /** Padding counts in the divisor (PyTorch count_include_pad=True). */
  void avgPoolForward(Tensor x, Tensor y, PoolGeom g);

  void avgPoolBackward(Tensor dy, Tensor dx, PoolGeom g);

  /** y (n, c) = mean over hw of x (n, c, hw). */
  void globalAvgPoolForward(Tensor x, Tensor y, int n, int c, int hw);

  /** dx += dy / hw broadcast. */
  void globalAvgPoolBackward(Tensor dy, Tensor dx, int n, int c, int hw);

  // ---- channel copies (concatenation and split); tensors are (n, channels, hw) ----

  /**
   * dst[:, dstOffset:dstOffset+count] = src[:, srcOffset:srcOffset+count] (accumulate: +=), where
   * src has srcChannels and dst dstChannels channels.
   */
  void copyChannels(
      Tensor src, int srcChannels, int srcOffset, Tensor dst, int dstChannels, int dstOffset,
      int count, int n, int hw, boolean accumulate);

  /**
   * Copies a block of rows and columns, for rejuvenation surgery (spec §5.2): viewing {@code src}
   * as (srcRows, srcCols, inner) and {@code dst} as (dstRows, dstCols, inner), row-major,
   * dst[r, q, :] = src[rows[r], cols[q], :] for every r &lt; rows.length and q &lt; cols.length
   * (overwrite); the rest of dst keeps its values. Conv weights (O, I, k, k) have inner k·k.
   */
  void gatherBlock(Tensor src, int srcCols, Tensor dst, int dstCols, int inner, int[] rows, int[] cols);

  // ---- classifier and loss ----

  /** y (n, k) = x (n, c) * w^T (w is (k, c)) + b (k). */
  void linearForward(Tensor x, Tensor w, Tensor b, Tensor y, int n, int c, int k);

  /** dx += dy w; dw += dy^T x; db += column sums of dy. dx may be null. */
  void linearBackward(
      Tensor x, Tensor w, Tensor dy, Tensor dx, Tensor dw, Tensor db, int n, int c, int k);

  /**
   * Mean softmax cross-entropy of logits (n, k) against labels; writes dlogits = (softmax - onehot)
   * / n (overwrite) and returns the mean loss.
   */
  double softmaxCrossEntropy(Tensor logits, int[] labels, Tensor dlogits, int n, int k);

  /**
   * {@link #softmaxCrossEntropy(Tensor, int[], Tensor, int, int)} with the labels already on the
   * device ({@code labels} holds n int32 class indices in its 4-byte elements, uploaded as raw
   * bytes) and the per-row losses left there ({@code rowLosses} (n)): nothing waits for the host,
   * so a {@linkplain #record recorded} step can contain it. Labels are not range-checked here.
   */
  void softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor dlogits, Tensor rowLosses, int n, int k);

  // ---- optimiser (spec §2.1) ----

  /** grad += lambda * sign(param) (sign(0) = 0): the L1 sub-gradient on BN scales. */
  void l1Subgradient(Tensor param, Tensor grad, float lambda);

  /**
   * SGD with momentum on {@code count} elements: d = g + wd*p; buf = first ? d : mu*buf + d;
   * p -= lr*buf.
   */
  void sgdStep(Tensor param, Tensor grad, Tensor momentum, float lr, float mu, float wd, boolean first);

  /**
   * Records the device work {@code work} queues instead of running it, for replay with one launch
   * (a CUDA graph), or returns null where the device has no such thing (the CPU backend: {@code
   * work} is not run). What is recorded is fixed: addresses, shapes and scalar arguments; the work
   * must not wait for the host or allocate.
   */
  default RecordedWork record(Runnable work) {
    return null;
  }

  /** Waits for queued work. */
  void synchronize();

  /**
   * Called after a network rebuilt its layers for new widths (rejuvenation, resume): the backend
   * may drop what it cached for the old shapes (cuDNN descriptors and algorithms, pooled memory).
   */
  default void replan() {}

  @Override
  void close();
}
