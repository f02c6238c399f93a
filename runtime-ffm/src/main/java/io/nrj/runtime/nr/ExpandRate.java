package io.nrj.runtime.nr;

import io.nrj.dsl.ir.NrSettings.ExpandRule;
import java.util.Optional;

/**
 * The global expand rate e and the widths it gives (spec §5.1). e = sqrt(all / live) in the
 * utilization's units (parameters or FLOPs), or floor(sqrt(all / live)) for the CIFAR DenseNet rule.
 * A layer with lo live neurons becomes floor(lo · e) wide, truncated as Python's {@code int()}.
 *
 * @param value e
 * @param warning set when e == 1: the network will not grow (spec §12 C3)
 */
public record ExpandRate(double value, Optional<String> warning) {
  private static final System.Logger LOG = System.getLogger(ExpandRate.class.getName());

  /** Computes e from the utilization counts; logs the warning, if any, at WARNING level. */
  public static ExpandRate of(ExpandRule rule, long all, long live) {
    if (live <= 0) {
      throw new IllegalStateException(
          "cannot rejuvenate: no live connection is left (utilization 0); lower the sparsity");
    }
    double e = Math.sqrt((double) all / (double) live);
    if (rule == ExpandRule.FLOOR_SQRT) e = Math.floor(e);
    Optional<String> warning = Optional.empty();
    if (e == 1.0) {
      warning =
          Optional.of(
              "expand rate e = 1 (rule "
                  + rule
                  + ", all/live = "
                  + ((double) all / live)
                  + "): rejuvenation only prunes, no layer grows");
      LOG.log(System.Logger.Level.WARNING, warning.get());
    }
    return new ExpandRate(e, warning);
  }

  /** floor(lo · e): the rejuvenated width of a layer with lo live neurons. */
  public static int newWidth(int liveOut, double e) {
    return (int) Math.floor(liveOut * e);
  }

  public int newWidth(int liveOut) {
    return newWidth(liveOut, value);
  }
}
