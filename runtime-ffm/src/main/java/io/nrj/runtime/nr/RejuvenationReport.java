package io.nrj.runtime.nr;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nrj.dsl.ir.NrSettings.Measure;
import io.nrj.runtime.io.JsonCodec;
import java.util.List;
import java.util.Locale;
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

  /** The {@code rejuvenation.json} document: one key per line, one line per layer. */
  public String toJson() {
    ObjectNode b = JsonCodec.object();
    b.put("after_epoch", afterEpoch + 1); // 1-based, like the epoch column of metrics.csv and the progress lines
    b.put("measure", measure.name().toLowerCase(Locale.ROOT));
    b.put("live", live);
    b.put("all", all);
    b.put("utilization", JsonCodec.finite(utilization));
    b.put("expand_rate", JsonCodec.finite(expandRate));
    b.put("warning", warning.orElse(null));
    ArrayNode rows = b.putArray("layers");
    for (Layer l : layers) {
      rows.addObject()
          .put("name", l.name())
          .put("live_out", l.liveOut())
          .put("total_out", l.totalOut())
          .put("live_in", l.liveIn())
          .put("total_in", l.totalIn())
          .put("width_after", l.widthAfter())
          .put("deleted", l.deleted())
          .put("split", l.split());
    }
    if (classifier != null) {
      b.putObject("classifier")
          .put("name", classifier.name())
          .put("live_in", classifier.liveIn())
          .put("total_in", classifier.totalIn())
          .put("in_after", classifier.inAfter());
    }
    return JsonCodec.writeRows(b);
  }
}
