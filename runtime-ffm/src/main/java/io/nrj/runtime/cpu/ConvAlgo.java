package io.nrj.runtime.cpu;

import io.nrj.runtime.ConvGeom;

/**
 * Which algorithm computes a convolution on the CPU: the implicit GEMM of {@link ConvKernels}, or
 * the flat padded direct convolution of {@link DirectConv}. The choice depends on the geometry
 * alone (never on the thread count or timing), so results stay reproducible. {@code
 * -Dnrj.cpu.conv=gemm|direct|auto} overrides it for benchmarks and tests.
 */
enum ConvAlgo {
  GEMM,
  DIRECT;

  /** The algorithm for {@code g} under {@code policy} ("auto", "gemm" or "direct"). */
  static ConvAlgo choose(String policy, ConvGeom g) {
    if (!DirectConv.supports(g)) return GEMM;
    return switch (policy) {
      case "gemm" -> GEMM;
      case "direct" -> DIRECT;
      default -> auto(g);
    };
  }

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
