/**
 * The pure-Java CPU backend: the reference implementation of {@link io.nrj.runtime.Backend} that
 * the CUDA backend is checked against, and the backend every machine can train on.
 *
 * <h2>Layout</h2>
 *
 * <ul>
 *   <li>{@link io.nrj.runtime.cpu.CpuBackend}: argument checks and dispatch; {@link
 *       io.nrj.runtime.cpu.CpuTensor}: float32 in native memory, one shared arena per owning
 *       tensor, views as slices.
 *   <li>{@code Sgemm}: a GotoBLAS-style blocked SGEMM (8x32 register tile, KC 256) with packers
 *       supplied by the caller; {@code VectorKernels}: the only code touching {@code
 *       jdk.incubator.vector}.
 *   <li>Convolutions, one algorithm per pass chosen from the geometry by {@code ConvAlgo}:
 *       {@code ConvKernels}, implicit GEMM (im2col straight into packed panels; backward data as
 *       dcol = W^T dY then col2im); {@code DirectConv}, flat padded direct convolution for stride
 *       1 (8 output channels x 32 flat pixels per register tile); {@code ChannelLaneConv}, stride 1
 *       with the lanes over output channels (small maps); {@code PointwiseConv}, 1x1 convolutions
 *       as in-place per-image products, with {@code PointwiseOuterFilter} for their weight
 *       gradients from 32 channels (outer products on a transposed chunk) and {@code
 *       StridedPointwise} for stride 2 and more (the same on a subsampled copy); {@code Winograd},
 *       F(2x2,3x3) for wide 3x3 layers in chunks of images, and {@code WinogradLanes}, the same
 *       on the lanes tiles on maps 8 and 16 wide (forward pass and backward data image by image,
 *       the weight gradient in chunks of images); {@code Linear} also for kernels covering the
 *       whole input.
 *   <li>{@code Linear}: three SGEMMs and softmax cross-entropy; {@code NormKernels} (batch norm,
 *       also fused with the following ReLU forward and the preceding ReLU backward), {@code
 *       PoolKernels}, {@code Elementwise}: memory-bound loops.
 *   <li>{@code CpuKernelBench}: {@code nrj bench --kernels}, each convolution pass in GFLOP/s
 *       against the measured FMA peak. docs/performance.md has the measurements.
 * </ul>
 *
 * <h2>Determinism</h2>
 *
 * Work is split statically ({@code CpuThreads}: thread t always gets the t-th contiguous range, no
 * work stealing) or, where every index computes the same values whatever range it arrives in (per
 * image, per fixed image group), in small ranges claimed by the next free thread; no split changes
 * the order in which any element is summed: GEMM splits C into tiles that each own a whole
 * reduction, batch-norm splits by channel, backward data by image, weight gradients by fixed image
 * groups or by tiles of weights.
 * Results are therefore bit-identical run to run and across thread counts; the Vector API and
 * scalar GEMM paths also agree bit for bit (lane-wise fma in the same order). Vector lane sums are
 * added in lane order because {@code reduceLanes(ADD)} has an unspecified order that differs
 * between the interpreter and C2.
 *
 * <h2>Configuration</h2>
 *
 * {@code -Dnrj.cpu.threads=N} (default: available processors) and {@code -Dnrj.cpu.vector=false}
 * (the scalar fallback; also chosen automatically when {@code jdk.incubator.vector} is not in the
 * boot layer or the preferred vectors are not 512 bits). The JVM needs {@code --add-modules
 * jdk.incubator.vector} for the vector path.
 *
 * <h2>Not</h2>
 *
 * Not thread-safe: one caller thread per backend at a time (the packing buffers and the heap copy
 * of a conv input are per backend). Not a general BLAS or autograd engine. Vector API code runs
 * interpreted, very slowly, until C2 compiles it (seconds); tiny products therefore take the
 * scalar kernel, which gives the same bits.
 */
package io.nrj.runtime.cpu;
