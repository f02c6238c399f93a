package io.nrj.runtime.cpu;

import io.nrj.runtime.ConvGeom;
import java.util.Locale;

/**
 * Which algorithm computes each pass of a convolution on the CPU: the implicit GEMM of {@link
 * ConvKernels}, the flat padded direct convolution of {@link DirectConv}, the channel-lane
 * convolution of {@link ChannelLaneConv} (small maps), Winograd F(2x2,3x3) in chunks of images
 * ({@link Winograd}) or image by image on the lanes tile ({@link WinogradLanes}), or
 * for 1x1 convolutions the in-place per-image product of {@link PointwiseConv}, or, for a kernel
 * covering the whole input, the fully connected products of {@link Linear}. The choice depends on
 * the geometry alone, never on the thread count or on timing, so results stay reproducible (the
 * algorithms sum in different orders). {@code -Dnrj.cpu.conv=gemm|direct|winograd|lanes|wlanes|auto}
 * overrides it for benchmarks and tests ("direct" means the direct family: pointwise for 1x1
 * convolutions; "winograd", "lanes" and "wlanes" fall back to "auto" where they do not apply).
 *
 * <p>The automatic choice compares estimated efficiencies (useful multiply-adds over computed
 * ones, times how well the kernel runs), calibrated by {@code ConvAlgoBench} on the networks'
 * shapes: the direct kernels run near the FMA peak but compute the thrown-away columns of the flat
 * rows, the zero taps of a transposed convolution whose padding is below kernel-1, and whole tiles
 * of 8 channels; the GEMM computes only useful products but pays for packing, more so with few
 * output channels to share it.
 */
enum ConvAlgo {
  GEMM,
  DIRECT,
  POINTWISE,
  /** A 1x1 stride-2-or-more layer without padding as {@link #POINTWISE} on the subsampled input. */
  STRIDED_POINTWISE,
  /** A strided layer's forward pass and weight gradient by the direct kernels on stride phases ({@code DirectConv.Layout}). */
  STRIDED_DIRECT,
  /** A kernel covering the whole unpadded input: one output pixel, a fully connected layer. */
  LINEAR,
  /** Winograd F(2x2, 3x3) for 3x3 stride-1 padding-1 layers (all three passes). */
  WINOGRAD,
  /** Stride-1 convolution with the vector lanes over output channels, for small maps. */
  LANES,
  /** Winograd F(2x2, 3x3) on the lanes tiles ({@link WinogradLanes}): forward and backward data image by image, the weight gradient in chunks of images. */
  WINOGRAD_LANES;

  /** The three passes of a convolution. */
  enum Pass {
    FORWARD,
    BACKWARD_DATA,
    BACKWARD_FILTER
  }

  /**
   * The algorithm for {@code pass} of {@code g} under {@code policy} ("auto", "gemm", "direct",
   * "winograd" or "lanes"; the last two fall back to "auto" where they do not apply).
   */
  static ConvAlgo choose(String policy, ConvGeom g, Pass pass) {
    if (policy.equals("gemm")) return GEMM;
    if (policy.equals("winograd") && Winograd.supports(g)) return WINOGRAD;
    if (policy.equals("lanes") && ChannelLaneConv.supports(g, pass)) return LANES;
    if (policy.equals("wlanes") && WinogradLanes.supports(g)) return WINOGRAD_LANES;
    if (g.pad() == 0 && g.r() == g.h() && g.s() == g.w()) return LINEAR;
    if (StridedPointwise.supports(g)) return STRIDED_POINTWISE;
    if (STRIDED_DIRECT_ON && g.stride() > 1 && stridedDirectPays(g, pass)) return STRIDED_DIRECT;
    if (!DirectConv.supports(g)) return GEMM;
    ConvAlgo direct = PointwiseConv.supports(g) ? POINTWISE : DIRECT;
    if (policy.equals("direct")) return direct;
    if (WinogradLanes.supports(g) && winogradLanesPays(g, pass)) return WINOGRAD_LANES;
    if (Winograd.supports(g) && winogradPays(g)) return WINOGRAD;
    if (ChannelLaneConv.supports(g, pass) && lanesPays(g, pass)) return LANES;
    if (direct == DIRECT && pass == Pass.BACKWARD_FILTER && (long) DirectConv.LANES * g.k() * g.c() * g.r() * g.s() > PARTIALS_LIMIT) {
      return GEMM; // lane partials (16 per weight) re-read per image chunk: too much for wide layers
    }
    if (direct == POINTWISE) return pass != Pass.BACKWARD_DATA || pointwiseBackwardDataPays(g) ? POINTWISE : GEMM;
    return directEfficiency(g, pass) >= gemmEfficiency(pass == Pass.BACKWARD_DATA ? g.c() : g.k()) ? DIRECT : GEMM;
  }

  /**
   * Winograd's 16 products per 2x2 output tile (instead of 36) pay for its tile transforms once
   * the products are long and wide: at least 128 channels on both sides (with 64, the direct
   * kernels still win on two threads); not on maps below 4x4 (a tile or two per image).
   */
  static boolean winogradPays(ConvGeom g) {
    return Math.min(g.h(), g.w()) >= 4 && Math.min(g.c(), g.k()) >= 128;
  }

  /** The most planes on either side of a layer that {@link WinogradLanes} takes (see below). */
  static final int MAX_PLANES = 64;

  /**
   * {@link WinogradLanes} pays on maps 8 or 16 wide (its phase planes take a row per vector; on 32
   * columns it loses to the direct kernels: 64->64 at 32x32 182 / 176 against 206 / 184) from at
   * least 32 input planes into outputs that fill at least 3/4 of their 32-channel tiles. {@code
   * OneConvBench -Drotate=4 or 2}, batch 64, 2 threads, forward / backward data in GFLOP/s counted
   * as direct convolution: 32->32 at 16x16 211 / 190 against the lanes kernels' 177 / 159; 64->64
   * at 8x8 253 / 239 against 182 / 179; 32->64 at 8x8 244 / 169 against 174 / 170; against
   * Winograd in chunks 512->512 at 8x8 383 / 381 against 280 / 282, 256->256 at 16x16 415 / 411
   * against 290 / 282, 128->256 at 16x16 386 / 373 against 295 / 234. Not from 16 input planes
   * (16->32 at 16x16: 172 / 124 against 169 / 135). Not past {@link #MAX_PLANES} planes on either
   * side, though faster there: its packed filters hold all 16 positions at once (16.8 MB for a
   * 512->512 layer), which put VGG-19-NR's peak RSS over PyTorch's (1,362 against 1,336 MiB in
   * one of two runs; 1,313 MiB with the layer on Winograd in chunks). The weight gradient
   * (alternating with the lanes kernel, same bench, GFLOP/s): 32->32 at 16x16 236 against 152,
   * 64->64 at 8x8 242 against 152, 32->64 at 8x8 203 against 135, and from 16 input planes 16->32
   * at 16x16 180 against 120; on 32 columns it loses (16->16 at 32x32 83 against the direct
   * kernels' 156).
   */
  static boolean winogradLanesPays(ConvGeom g, Pass pass) {
    int ins = pass == Pass.BACKWARD_DATA ? g.k() : g.c(), outs = pass == Pass.BACKWARD_DATA ? g.c() : g.k();
    int minIns = pass == Pass.BACKWARD_FILTER ? 16 : 32;
    return (g.w() == 8 || g.w() == 16) && ins >= minIns && frac(outs, ChannelLaneConv.KB) >= 0.75 && Math.max(ins, outs) <= MAX_PLANES;
  }

  /**
   * Lanes over output channels pay where the pass's outputs fill at least 3/4 of their 32-channel tiles and the
   * flat padded rows of {@link DirectConv} waste most: every weight gradient on maps of 8 columns
   * or fewer and those of 3x3-type kernels on 16 columns, 3x3-type backward data on 16 columns (on
   * 32 with 64 channels or more), and every forward pass of a kernel wider than 1x1 (its 8-pixel
   * tiles read 8 neighbours per broadcast row). Calibrated with {@code OneConvBench} on the
   * networks' shapes (batch 64, 2 threads, inputs from memory with {@code -Drotate}): on 8x8 maps
   * 1.5 to 2.2x the direct kernels in all three passes; forward 1.1 to 1.2x on 16x16 and 32x32;
   * backward data 1.1x on 32 channels of 16x16, 1.15x on 64, 1.06x on 64 channels of 32x32 (0.97x
   * on 32); the 3x3 weight gradient on 16x16 level alone but 1.5x inside ResNet-164 ({@code nrj
   * bench --profile}: its inputs come from memory there, and the lanes' copies read them in order);
   * 1x1 forward and channel counts of 16 (half a tile) lose; the 1x1 weight gradient on 8 columns
   * from 32 channels on both sides is {@link PointwiseOuterFilter}'s (1.2 to 1.45x the lanes). Not chosen though faster alone: the
   * weight gradient on 32 columns from 32 input channels (1.3 to 1.8x), and 128-channel layers on
   * 16 and 32 columns instead of Winograd (1.05 to 1.1x); their buffers (the lanes weight
   * gradient transposes the whole batch: 71 MB for 128 channels at 32x32) lifted VGG-19-NR's peak
   * RSS above PyTorch's.
   */
  static boolean lanesPays(ConvGeom g, Pass pass) {
    int outs = pass == Pass.BACKWARD_DATA ? g.c() : g.k();
    if (frac(outs, ChannelLaneConv.KB) < 0.75) return false; // e.g. 50 channels fill 50 of 64 lanes
    return switch (pass) {
      case FORWARD -> g.r() * g.s() > 1;
      case BACKWARD_DATA -> g.r() * g.s() > 1 && (g.w() <= 2 * ChannelLaneConv.PX || (g.w() <= 4 * ChannelLaneConv.PX && outs >= 64));
      case BACKWARD_FILTER -> (g.outW() <= ChannelLaneConv.PX && !pointwiseOuterFilter(g))
          || (g.outW() <= 2 * ChannelLaneConv.PX && g.r() * g.s() > 1);
    };
  }

  /** Whether the 1x1 weight gradient of {@code g} runs as {@link PointwiseOuterFilter}'s outer products. */
  static boolean pointwiseOuterFilter(ConvGeom g) {
    return PointwiseConv.supports(g) && PointwiseOuterFilter.chosen(g.k(), g.c());
  }

  /**
   * The 1x1 backward data dx (C, HW) = W^T (C, K) dy (K, HW) as the per-image product: wherever
   * dy's image fits the product's row-major walk ({@link PointwiseConv#ROW_MAJOR_INPUT_BYTES}: all
   * of ResNet-164's), which writes dx in whole rows (2x the GEMM on its 64->16 and 1.3x on its
   * 128->32 convolutions, {@code OneConvBench}); otherwise where its reduction is at least as long
   * as its output is tall, or 64 long (a short reduction adds each 8x32 tile into dx after only K
   * multiply-adds per output, and the GEMM does better).
   */
  static boolean pointwiseBackwardDataPays(ConvGeom g) {
    if ((long) g.k() * g.h() * g.w() * Float.BYTES <= PointwiseConv.ROW_MAJOR_INPUT_BYTES) return true;
    return g.c() <= g.k() || g.k() >= 64;
  }

  /**
   * The direct kernels on stride phases against the im2col GEMM, {@code OneConvBench -Drotate=4
   * -Dstride=2} (batch 64, 2 threads): forward 32->32 3x3 on 32x32 92 against 45 GFLOP/s, 64->64 on
   * 16x16 88 against 70; the weight gradient 64 against 54 on the first (16x16 outputs) but 55
   * against 76 on the second (8x8 outputs, where the flat rows of 9 waste a fifth of every vector).
   * Backward data keeps the GEMM (a strided layer's input gradient is not a correlation over a fixed
   * offset per tap).
   */
  static boolean stridedDirectPays(ConvGeom g, Pass pass) {
    return switch (pass) {
      case FORWARD -> true;
      case BACKWARD_FILTER -> g.outW() >= 16;
      case BACKWARD_DATA -> false;
    };
  }

  /** Whether strided layers' forward pass and weight gradient take {@link #STRIDED_DIRECT} (a switch for A/B runs). */
  static final boolean STRIDED_DIRECT_ON = !"false".equals(System.getProperty("nrj.cpu.stridedDirect"));

  /** Lane partial sums (floats) of a direct weight gradient above which GEMM does better. */
  static final long PARTIALS_LIMIT = 1 << 20;

  /** Useful over computed multiply-adds of the direct kernels for {@code pass}. */
  static double directEfficiency(ConvGeom g, Pass pass) {
    int oh = g.outH(), ow = g.outW(), wp = g.w() + 2 * g.pad();
    return switch (pass) {
      case FORWARD -> frac(g.k(), DirectConv.MR) * (double) oh * ow / roundUp(oh * wp, DirectConv.TW);
      case BACKWARD_DATA -> {
        int wq = ow + g.s() - 1; // dy padded by kernel-1-pad: the full correlation
        yield frac(g.c(), DirectConv.MR) * (double) oh * ow / roundUp(g.h() * wq, DirectConv.TW);
      }
      case BACKWARD_FILTER ->
          frac(g.k(), DirectConv.FK) * frac(g.c() * g.s(), DirectConv.FJ) * (double) oh * ow / roundUp(oh * wp, DirectConv.LANES);
    };
  }

  /** How well the GEMM runs against the FMA peak with {@code rows} output rows to share packing. */
  static double gemmEfficiency(int rows) {
    return rows <= 64 ? 0.45 : rows <= 128 ? 0.6 : 0.7;
  }

  private static double frac(int n, int block) {
    return (double) n / roundUp(n, block);
  }

  private static int roundUp(int v, int m) {
    return (v + m - 1) / m * m;
  }

  /** The policy from {@code -Dnrj.cpu.conv}, "auto" when unset. */
  static String configuredPolicy() {
    String p = System.getProperty("nrj.cpu.conv", "auto").trim().toLowerCase(Locale.ROOT);
    return switch (p) {
      case "gemm", "direct", "winograd", "lanes", "wlanes", "auto" -> p;
      default -> throw new IllegalArgumentException("nrj.cpu.conv must be gemm, direct, winograd, lanes, wlanes or auto, got '" + p + "'");
    };
  }
}
