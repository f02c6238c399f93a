package io.nrj.runtime.profile;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Wall time per backend operation and operand shape, summed over the steps of a benchmark: what
 * {@code nrj bench --profile} prints. One row per (operation, shape) pair, which in a network
 * names one layer (its geometry) and one kind of work (conv forward, BN backward, pooling...).
 * Multiply-accumulates, where an operation has a well-defined count, give GFLOP/s per row.
 */
public final class OpProfile {
  /** One row: an operation on one shape. */
  public static final class Row {
    final String kind;
    final String shape;
    long calls;
    long nanos;
    long macs;

    Row(String kind, String shape) {
      this.kind = kind;
      this.shape = shape;
    }

    public String kind() {
      return kind;
    }

    public String shape() {
      return shape;
    }

    public long calls() {
      return calls;
    }

    public long nanos() {
      return nanos;
    }
  }

  private final Map<String, Row> rows = new LinkedHashMap<>();
  private boolean enabled;

  /** Starts (or stops) counting; operations outside an enabled stretch are not recorded. */
  public void enable(boolean on) {
    enabled = on;
  }

  void add(String kind, String shape, long nanos, long macs) {
    if (!enabled) return;
    Row r = rows.computeIfAbsent(kind + '\u0000' + shape, k -> new Row(kind, shape));
    r.calls++;
    r.nanos += nanos;
    r.macs += macs;
  }

  /** Every row, most time first. */
  public List<Row> rows() {
    List<Row> list = new ArrayList<>(rows.values());
    list.sort(Comparator.comparingLong((Row r) -> r.nanos).reversed());
    return list;
  }

  /** Total nanoseconds inside backend operations. */
  public long totalNanos() {
    return rows.values().stream().mapToLong(r -> r.nanos).sum();
  }

  /**
   * Prints the per-kind summary and the per-row table, in milliseconds per step.
   *
   * @param steps timed steps the rows were summed over
   * @param stepNanos wall time of those steps (the rest is outside backend operations)
   */
  public void print(PrintStream out, int steps, long stepNanos) {
    long total = totalNanos();
    Map<String, long[]> kinds = new LinkedHashMap<>();
    for (Row r : rows()) {
      long[] k = kinds.computeIfAbsent(r.kind, x -> new long[3]);
      k[0] += r.nanos;
      k[1] += r.calls;
      k[2] += r.macs;
    }
    List<Map.Entry<String, long[]>> byKind = new ArrayList<>(kinds.entrySet());
    byKind.sort(Comparator.comparingLong((Map.Entry<String, long[]> e) -> e.getValue()[0]).reversed());
    out.printf(Locale.ROOT, "%n%-26s %10s %7s %9s%n", "kind", "ms/step", "share", "GFLOP/s");
    for (Map.Entry<String, long[]> e : byKind) {
      long[] v = e.getValue();
      out.printf(Locale.ROOT, "%-26s %10.3f %6.1f%% %9s%n", e.getKey(), v[0] / 1e6 / steps, 100.0 * v[0] / stepNanos, gflops(v[2], v[0]));
    }
    long outside = stepNanos - total;
    out.printf(Locale.ROOT, "%-26s %10.3f %6.1f%%%n", "(outside backend ops)", outside / 1e6 / steps, 100.0 * outside / stepNanos);
    out.printf(Locale.ROOT, "%n%-26s %-44s %6s %10s %7s %9s%n", "op", "shape", "calls", "ms/step", "share", "GFLOP/s");
    for (Row r : rows()) {
      out.printf(Locale.ROOT, "%-26s %-44s %6d %10.3f %6.1f%% %9s%n", r.kind, r.shape, r.calls / steps, r.nanos / 1e6 / steps,
          100.0 * r.nanos / stepNanos, gflops(r.macs, r.nanos));
    }
  }

  private static String gflops(long macs, long nanos) {
    return macs == 0 || nanos == 0 ? "" : String.format(Locale.ROOT, "%.1f", 2.0 * macs / nanos);
  }
}
