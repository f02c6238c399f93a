package io.nrj.runtime.nr;

import io.nrj.dsl.ir.NrSettings.Measure;
import java.util.List;
import java.util.Optional;

/**
 * What rejuvenation did, layer by layer (issue 5, item 7): rendered as a terminal table and as the
 * content of {@code rejuvenation.json}.
 *
 * @param afterEpoch 0-based index of the epoch after which rejuvenation fired (printed 1-based,
 *     as metrics.csv counts epochs)
 * @param measure the utilization unit
 * @param live live units (parameters or MACs) at the trigger
 * @param all all units: the utilization denominator
 * @param utilization live / all
 * @param expandRate e
 * @param warning the expand-rate warning (e == 1), if any
 * @param layers one row per NR conv, by convIndex
 * @param classifier the classifier's inputs before and after
 */
public record RejuvenationReport(
    int afterEpoch,
    Measure measure,
    long live,
    long all,
    double utilization,
    double expandRate,
    Optional<String> warning,
    List<Layer> layers,
    Classifier classifier) {
  public RejuvenationReport {
    layers = List.copyOf(layers);
  }

  /**
   * One NR conv.
   *
   * @param liveOut live output neurons before (lo)
   * @param totalOut output neurons before
   * @param liveIn live input channels before (li)
   * @param totalIn input channels before
   * @param widthAfter output channels after (0 when deleted)
   * @param deleted fully dead and removed (spec §12 B1)
   * @param split runs as diagonal and cross blocks (false for input layers and spec §12 B6)
   */
  public record Layer(
      String name,
      int liveOut,
      int totalOut,
      int liveIn,
      int totalIn,
      int widthAfter,
      boolean deleted,
      boolean split) {}

  /** The classifier: live input features before, all inputs before, inputs after. */
  public record Classifier(String name, int liveIn, int totalIn, int inAfter) {}

  /** A fixed-width table for the terminal, one line per layer plus a summary line. */
  public String toTable() {
    int nameW = "layer".length();
    for (Layer l : layers) nameW = Math.max(nameW, l.name().length());
    if (classifier != null) nameW = Math.max(nameW, classifier.name().length());
    String fmt = "%-" + nameW + "s  %15s  %15s  %11s  %s%n";
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            "rejuvenation after epoch %d: utilization %.4f (%d / %d %s), expand rate %.6f%n",
            afterEpoch + 1, utilization, live, all, measure == Measure.FLOPS ? "MACs" : "params",
            expandRate));
    warning.ifPresent(w -> b.append("warning: ").append(w).append('\n'));
    b.append(String.format(fmt, "layer", "live out/total", "live in/total", "width after", ""));
    for (Layer l : layers) {
      String note = l.deleted() ? "deleted (fully dead)" : l.split() ? "" : "unsplit";
      b.append(
          String.format(
              fmt, l.name(), l.liveOut() + "/" + l.totalOut(), l.liveIn() + "/" + l.totalIn(),
              l.widthAfter(), note));
    }
    if (classifier != null) {
      b.append(
          String.format(
              fmt, classifier.name(), "-", classifier.liveIn() + "/" + classifier.totalIn(),
              classifier.inAfter() + " in", "classifier"));
    }
    return b.toString();
  }

  /** The {@code rejuvenation.json} document. */
  public String toJson() {
    StringBuilder b = new StringBuilder("{\n");
    // 1-based, like the epoch column of metrics.csv and the progress lines
    b.append("  \"after_epoch\": ").append(afterEpoch + 1).append(",\n");
    b.append("  \"measure\": ").append(JsonFields.quote(measure.name().toLowerCase())).append(",\n");
    b.append("  \"live\": ").append(live).append(",\n");
    b.append("  \"all\": ").append(all).append(",\n");
    b.append("  \"utilization\": ").append(JsonFields.number(utilization)).append(",\n");
    b.append("  \"expand_rate\": ").append(JsonFields.number(expandRate)).append(",\n");
    b.append("  \"warning\": ").append(warning.map(JsonFields::quote).orElse("null")).append(",\n");
    b.append("  \"layers\": [");
    for (int i = 0; i < layers.size(); i++) {
      Layer l = layers.get(i);
      b.append(i == 0 ? "\n" : ",\n")
          .append("    {\"name\": ").append(JsonFields.quote(l.name()))
          .append(", \"live_out\": ").append(l.liveOut())
          .append(", \"total_out\": ").append(l.totalOut())
          .append(", \"live_in\": ").append(l.liveIn())
          .append(", \"total_in\": ").append(l.totalIn())
          .append(", \"width_after\": ").append(l.widthAfter())
          .append(", \"deleted\": ").append(l.deleted())
          .append(", \"split\": ").append(l.split())
          .append('}');
    }
    b.append("\n  ]");
    if (classifier != null) {
      b.append(",\n  \"classifier\": {\"name\": ").append(JsonFields.quote(classifier.name()))
          .append(", \"live_in\": ").append(classifier.liveIn())
          .append(", \"total_in\": ").append(classifier.totalIn())
          .append(", \"in_after\": ").append(classifier.inAfter())
          .append('}');
    }
    return b.append("\n}\n").toString();
  }
}
