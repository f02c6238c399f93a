package io.nrj.runtime.cpu;

import io.nrj.runtime.ConvGeom;

/**
 * Which algorithm computes a convolution on the CPU: the implicit GEMM of {@link ConvKernels}, or
 * the flat padded direct convolution of {@link DirectConv}, or for 1x1 convolutions the in-place
 * product of {@link PointwiseConv}. The choice depends on the geometry
 * alone (never on the thread count or timing), so results stay reproducible. {@code
 * -Dnrj.cpu.conv=gemm|direct|auto} overrides it for benchmarks and tests.
 */
enum ConvAlgo {
  GEMM,
  DIRECT,
  POINTWISE;

  /** The algorithm for {@code g} under {@code policy} ("auto", "gemm" or "direct"). */
  static ConvAlgo choose(String policy, ConvGeom g) {
    if (policy.equals("gemm") || !DirectConv.supports(g)) return GEMM;
    if (PointwiseConv.supports(g)) return POINTWISE;
    return policy.equals("direct") ? DIRECT : auto(g);
  }

  /**
   * The algorithm for the weight gradient, which may differ: direct's lane partial sums cost a
   * pass over a buffer 16 times the weights' size per image chunk, too much for wide layers.
   */
  static ConvAlgo chooseFilter(String policy, ConvGeom g) {
    ConvAlgo a = choose(policy, g);
    if (a != DIRECT || policy.equals("direct")) return a;
    long partials = (long) DirectConv.LANES * g.k() * g.c() * g.r() * g.s();
    return partials <= PARTIALS_IN_L2 ? DIRECT : GEMM;
  }

  /** Lane partial sums (floats) of a direct weight gradient that still fit in L2 with the data. */
  static final long PARTIALS_IN_L2 = 1 << 17;

  /**
   * Direct wins where little of its flat rows is thrown away (output width near the padded
   * width) and the output has several tiles per image.
   */
  private static ConvAlgo auto(ConvGeom g) {
    int wp = g.w() + 2 * g.pad();
    return g.outW() * 4 >= wp * 3 && g.outH() * wp >= 2 * DirectConv.TW ? DIRECT : GEMM;
  }

  /** The policy from {@code -Dnrj.cpu.conv}, "auto" when unset. */
  static String configuredPolicy() {
    String p = System.getProperty("nrj.cpu.conv", "auto").trim().toLowerCase(java.util.Locale.ROOT);
    return switch (p) {
      case "gemm", "direct", "auto" -> p;
      default -> throw new IllegalArgumentException("nrj.cpu.conv must be gemm, direct or auto, got '" + p + "'");
    };
  }
}
