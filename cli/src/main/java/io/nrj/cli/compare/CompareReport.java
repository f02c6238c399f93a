package io.nrj.cli.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * {@code compare.md}: every run (final and best test top-1, per-path top-1 of NR runs, parameters
 * before, after and in use, utilization at the trigger, epochs, wall time), each arm's mean ± sample
 * standard deviation over the seeds, and NR against each baseline, paired by seed. All numbers come
 * from the runs' own files ({@link RunSummary}).
 *
 * @param title what was compared (spec, network, schedule)
 * @param setup lines describing the data, device, seeds and the command
 * @param runs the runs of each arm, in arm order, each list in seed order
 */
public record CompareReport(String title, List<String> setup, Map<Arm, List<RunSummary>> runs) {
  public String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("# ").append(title).append("\n\n");
    for (String line : setup) b.append(line).append('\n');
    b.append("\nTest top-1 in %, on the data set's test images; mean ± sample standard deviation over the seeds."
        + " \"used\" counts the weights the network computes with: after rejuvenation with cross connections removed,"
        + " the cross blocks are allocated but stay 0 (spec §5.5, §12 A3).\n");
    b.append("\n## Summary\n\n");
    b.append("| arm | seeds | final top-1 | best top-1 | survivor / new top-1 | epochs | params after | used params | wall (mean) |\n");
    b.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (Map.Entry<Arm, List<RunSummary>> e : runs.entrySet()) {
      List<RunSummary> rs = e.getValue();
      boolean paths = rs.stream().allMatch(r -> !Double.isNaN(r.survivorTop1()));
      b.append("| ").append(e.getKey().label())
          .append(" | ").append(rs.size())
          .append(" | ").append(meanStd(rs, r -> 100 * r.finalTop1()))
          .append(" | ").append(meanStd(rs, r -> 100 * r.bestTop1()))
          .append(" | ").append(paths ? meanStd(rs, r -> 100 * r.survivorTop1()) + " / " + meanStd(rs, r -> 100 * r.newTop1()) : "–")
          .append(" | ").append(range(rs, r -> r.epochs()))
          .append(" | ").append(count(mean(rs, r -> r.paramsAfter())))
          .append(" | ").append(count(mean(rs, r -> r.usedParams())))
          .append(" | ").append(seconds(mean(rs, RunSummary::wallSeconds)))
          .append(" |\n");
    }
    List<RunSummary> nr = runs.get(Arm.NR);
    if (nr != null && runs.size() > 1) {
      b.append("\n## NR against each baseline (paired by seed)\n\n");
      b.append("| NR against | Δ final top-1 (points) | Δ best top-1 (points) | NR params after / theirs | NR used params / theirs |\n");
      b.append("| --- | --- | --- | --- | --- |\n");
      for (Map.Entry<Arm, List<RunSummary>> e : runs.entrySet()) {
        if (e.getKey() == Arm.NR) continue;
        List<RunSummary> base = e.getValue();
        b.append("| ").append(e.getKey().label())
            .append(" | ").append(signed(paired(nr, base, r -> 100 * r.finalTop1())))
            .append(" | ").append(signed(paired(nr, base, r -> 100 * r.bestTop1())))
            .append(" | ").append(ratio(mean(nr, r -> r.paramsAfter()) / mean(base, r -> r.paramsAfter())))
            .append(" | ").append(ratio(mean(nr, r -> r.usedParams()) / mean(base, r -> r.usedParams())))
            .append(" |\n");
      }
    }
    b.append("\n## Runs\n\n");
    b.append("| run | seed | epochs | final top-1 | best top-1 | survivor / new top-1 | params before | params after"
        + " | used params | u at trigger | wall |\n");
    b.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (Map.Entry<Arm, List<RunSummary>> e : runs.entrySet()) {
      for (RunSummary r : e.getValue()) {
        b.append("| ").append(e.getKey().label())
            .append(" | ").append(r.run().seed())
            .append(" | ").append(r.epochs()).append(r.rejuvenated() ? " (" + r.sparseEpochs() + " sparse)" : "")
            .append(" | ").append(pct(r.finalTop1()))
            .append(" | ").append(pct(r.bestTop1()))
            .append(" | ").append(Double.isNaN(r.survivorTop1()) ? "–" : pct(r.survivorTop1()) + " / " + pct(r.newTop1()))
            .append(" | ").append(count(r.paramsBefore()))
            .append(" | ").append(count(r.paramsAfter()))
            .append(" | ").append(count(r.usedParams()))
            .append(" | ").append(r.rejuvenated() ? String.format(Locale.ROOT, "%.4f (after epoch %d)", r.trigger(), r.sparseEpochs()) : "–")
            .append(" | ").append(seconds(r.wallSeconds()))
            .append(" |\n");
      }
    }
    return b.toString();
  }

  static String pct(double fraction) {
    return String.format(Locale.ROOT, "%.2f", 100 * fraction);
  }

  /** "66.55 ± 0.42" (sample standard deviation), or "66.55" for a single run. */
  static String meanStd(List<RunSummary> rs, ToDoubleFunction<RunSummary> f) {
    return meanStd(rs.stream().mapToDouble(f).toArray(), false);
  }

  static String meanStd(double[] v, boolean signed) {
    double m = mean(v);
    String mean = String.format(Locale.ROOT, signed ? "%+.2f" : "%.2f", m);
    if (v.length < 2) return mean;
    return mean + " ± " + String.format(Locale.ROOT, "%.2f", std(v));
  }

  private static String signed(double[] v) {
    return meanStd(v, true);
  }

  /** NR minus the baseline, seed by seed (the seeds both arms ran). */
  private static double[] paired(List<RunSummary> nr, List<RunSummary> base, ToDoubleFunction<RunSummary> f) {
    List<Double> d = new ArrayList<>();
    for (RunSummary a : nr) {
      for (RunSummary b : base) {
        if (a.run().seed() == b.run().seed()) d.add(f.applyAsDouble(a) - f.applyAsDouble(b));
      }
    }
    return d.stream().mapToDouble(Double::doubleValue).toArray();
  }

  static double mean(double[] v) {
    double s = 0;
    for (double x : v) s += x;
    return s / v.length;
  }

  /** Sample standard deviation (n − 1). */
  static double std(double[] v) {
    double m = mean(v);
    double s = 0;
    for (double x : v) s += (x - m) * (x - m);
    return Math.sqrt(s / (v.length - 1));
  }

  private static double mean(List<RunSummary> rs, ToDoubleFunction<RunSummary> f) {
    return mean(rs.stream().mapToDouble(f).toArray());
  }

  private static String range(List<RunSummary> rs, ToDoubleFunction<RunSummary> f) {
    double lo = rs.stream().mapToDouble(f).min().orElse(0);
    double hi = rs.stream().mapToDouble(f).max().orElse(0);
    return lo == hi ? String.format(Locale.ROOT, "%.0f", lo) : String.format(Locale.ROOT, "%.0f–%.0f", lo, hi);
  }

  static String count(double n) {
    return String.format(Locale.ROOT, "%,d", Math.round(n));
  }

  private static String ratio(double r) {
    return String.format(Locale.ROOT, "%.3f×", r);
  }

  private static String seconds(double s) {
    return String.format(Locale.ROOT, "%.0f s", s);
  }
}
