package io.nrj.runtime.report;

import java.awt.Color;
import java.awt.Paint;
import java.awt.Stroke;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * {@code metrics.png}: {@code metrics.csv} as panels over the epochs, one below the other, each
 * with a title, round ticks and its legend below the data (so every panel's plot area spans the
 * same epochs at the same place, which a legend beside it would not allow):
 *
 * <ol>
 *   <li>loss, train and test; after rejuvenation also per path (survivor, new), because the loss
 *       trained there is the sum of the two paths' cross-entropies (spec §6.4) and so jumps at
 *       rejuvenation, which the panel says;
 *   <li>top-1 accuracy: train, test (summed logits) and, after rejuvenation, each path's;
 *   <li>learning rate (log scale: step decays by 10x stay visible) and λ (the L1 coefficient, on its
 *       own axis on the right);
 *   <li>utilization against the target, drawn as a line (NR runs only).
 * </ol>
 *
 * A dashed vertical line marks rejuvenation in every panel. The loss axis starts at 0.
 */
public final class MetricsChart {
  static final int WIDTH = 1000;
  static final int PANEL_HEIGHT = 320;

  private MetricsChart() {}

  /** The columns of metrics.csv by name, one value per epoch (NaN where a cell is empty). */
  record Metrics(List<String> phases, Map<String, double[]> columns) {
    static Metrics read(Path csv) throws IOException {
      List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
      String[] header = lines.isEmpty() ? new String[0] : lines.getFirst().split(",", -1);
      int n = Math.max(0, lines.size() - 1);
      Map<String, double[]> columns = new HashMap<>();
      for (String h : header) columns.put(h, new double[n]);
      List<String> phases = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String[] cells = lines.get(i + 1).split(",", -1);
        for (int c = 0; c < header.length; c++) {
          String v = c < cells.length ? cells[c] : "";
          if (header[c].equals("phase")) {
            phases.add(v);
            columns.get("phase")[i] = Double.NaN;
          } else {
            columns.get(header[c])[i] = v.isEmpty() ? Double.NaN : Double.parseDouble(v);
          }
        }
      }
      return new Metrics(phases, columns);
    }

    int size() {
      return phases.size();
    }

    double[] column(String name) {
      double[] v = columns.get(name);
      if (v != null) return v;
      double[] none = new double[size()];
      java.util.Arrays.fill(none, Double.NaN);
      return none; // a column an older nrj did not write
    }

    /** The x position of the rejuvenation line (between the last sparse and the first mixed epoch), or NaN. */
    double rejuvenation() {
      double[] epoch = column("epoch");
      for (int i = 1; i < size(); i++) {
        if (phases.get(i).equals("mixed") && !phases.get(i - 1).equals("mixed")) return epoch[i] - 0.5;
      }
      return Double.NaN;
    }
  }

  /** Reads {@code csv} (as MetricsCsv writes it) and writes {@code png}; {@code target} NaN: none. */
  public static void write(Path csv, double target, Path png) throws IOException {
    Metrics m = Metrics.read(csv);
    if (m.size() == 0) return;
    List<JFreeChart> panels = panels(m, target);
    int[] heights = new int[panels.size()];
    java.util.Arrays.fill(heights, PANEL_HEIGHT);
    heights[0] += 60; // the loss panel's note about rejuvenation and its longer legend
    Charts.writePng(panels, WIDTH, heights, png);
  }

  /** The panels, top to bottom (the utilization panel only for NR runs). */
  static List<JFreeChart> panels(Metrics m, double target) {
    double rejuvenation = m.rejuvenation();
    boolean mixed = !Double.isNaN(rejuvenation);
    List<JFreeChart> panels = new ArrayList<>();

    Lines loss = new Lines(m);
    loss.add("train", "train_loss", 0, Charts.LINE);
    loss.add("test", "test_loss", 0, Charts.DASHED);
    loss.add("train, survivor path", "train_loss_survivor", 2, Charts.LINE);
    loss.add("test, survivor path", "test_loss_survivor", 2, Charts.DASHED);
    loss.add("train, new path", "train_loss_new", 3, Charts.LINE);
    loss.add("test, new path", "test_loss_new", 3, Charts.DASHED);
    NumberAxis lossAxis = new NumberAxis("cross-entropy");
    lossAxis.setAutoRangeIncludesZero(true);
    panels.add(
        panel(
            "loss", loss, lossAxis, m, rejuvenation, true,
            mixed
                ? "From the rejuvenation line on, train and test loss are the sum of two cross-entropies, one per path"
                    + " (survivor, new), so they jump there; each path's is drawn too."
                : null));

    Lines top1 = new Lines(m).scaled(100);
    top1.add("train", "train_top1", 0, Charts.LINE);
    top1.add("test", "test_top1", 0, Charts.DASHED);
    top1.add("test, survivor path", "test_top1_survivor", 2, Charts.DASHED);
    top1.add("test, new path", "test_top1_new", 3, Charts.DASHED);
    panels.add(panel("top-1 accuracy", top1, percentAxis(top1), m, rejuvenation, false, null));

    Lines lr = new Lines(m);
    lr.add("learning rate (left axis, log scale)", "lr", 0, Charts.LINE);
    JFreeChart lrChart = panel("learning rate and \u03bb", lr, lrAxis(lr), m, rejuvenation, false, null);
    Lines lambda = new Lines(m);
    lambda.add("\u03bb, the L1 coefficient on BN scales (right axis)", "lambda", 4, Charts.DASHED);
    if (lambda.any()) {
      XYPlot plot = lrChart.getXYPlot();
      NumberAxis lambdaAxis = new NumberAxis("\u03bb");
      lambdaAxis.setAutoRangeIncludesZero(true);
      plot.setRangeAxis(1, lambdaAxis);
      plot.setDataset(1, lambda.data);
      plot.setRenderer(1, lambda.renderer());
      plot.mapDatasetToRangeAxis(1, 1);
    }
    panels.add(lrChart);

    Lines u = new Lines(m);
    u.add("utilization", "utilization", 0, Charts.LINE);
    if (u.any()) {
      if (!Double.isNaN(target)) u.constant(String.format(Locale.ROOT, "target %.3g", target), target, 1, Charts.DASHED);
      NumberAxis uAxis = new NumberAxis("live / all");
      uAxis.setRange(0, 1.05);
      panels.add(
          panel(
              "utilization", u, uAxis, m, rejuvenation, false,
              "Live share of the conv weights (or MACs) while sparse; rejuvenation fires once it is at or below the target."));
    }
    return panels;
  }

  /** The series of one panel. */
  private static final class Lines {
    final Metrics m;
    final XYSeriesCollection data = new XYSeriesCollection();
    final List<Paint> paints = new ArrayList<>();
    final List<Stroke> strokes = new ArrayList<>();
    double scale = 1;

    Lines(Metrics m) {
      this.m = m;
    }

    Lines scaled(double s) {
      scale = s;
      return this;
    }

    /** A column as a series, if it has any value. */
    void add(String name, String column, int color, Stroke stroke) {
      double[] epoch = m.column("epoch");
      double[] v = m.column(column);
      XYSeries s = new XYSeries(name);
      for (int i = 0; i < v.length; i++) if (!Double.isNaN(v[i])) s.add(epoch[i], v[i] * scale);
      if (s.getItemCount() == 0) return;
      data.addSeries(s);
      paints.add(Charts.color(color));
      strokes.add(stroke);
    }

    /** A horizontal line across every epoch. */
    void constant(String name, double value, int color, Stroke stroke) {
      double[] epoch = m.column("epoch");
      XYSeries s = new XYSeries(name);
      s.add(epoch[0] - 0.5, value);
      s.add(epoch[epoch.length - 1] + 0.5, value);
      data.addSeries(s);
      paints.add(Charts.color(color));
      strokes.add(stroke);
    }

    boolean any() {
      return data.getSeriesCount() > 0;
    }

    XYLineAndShapeRenderer renderer() {
      XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
      for (int i = 0; i < paints.size(); i++) {
        r.setSeriesPaint(i, paints.get(i));
        r.setSeriesStroke(i, strokes.get(i));
        r.setSeriesShapesVisible(i, data.getSeries(i).getItemCount() < 60 && !data.getSeries(i).getKey().toString().startsWith("target"));
      }
      return r;
    }

    double min() {
      double lo = Double.POSITIVE_INFINITY;
      for (int i = 0; i < data.getSeriesCount(); i++) lo = Math.min(lo, data.getSeries(i).getMinY());
      return lo;
    }

    double max() {
      double hi = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < data.getSeriesCount(); i++) hi = Math.max(hi, data.getSeries(i).getMaxY());
      return hi;
    }
  }

  /** Accuracy in percent: a little room around the data, never below 0 or above 100. */
  private static NumberAxis percentAxis(Lines top1) {
    NumberAxis axis = new NumberAxis("% of images");
    if (top1.any()) {
      double lo = top1.min();
      double hi = top1.max();
      double pad = Math.max(0.5, 0.08 * (hi - lo));
      axis.setRange(Math.max(0, lo - pad), Math.min(100, hi + pad));
    }
    return axis;
  }

  /** Log scale over whole decades, labelled 0.1, 0.01, 0.001 ... */
  private static org.jfree.chart.axis.ValueAxis lrAxis(Lines lr) {
    org.jfree.chart.axis.LogAxis axis = new org.jfree.chart.axis.LogAxis("learning rate");
    axis.setBase(10);
    axis.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1), false, false); // one label per decade
    axis.setAutoTickUnitSelection(false, false);
    axis.setNumberFormatOverride(new java.text.DecimalFormat("0.######", java.text.DecimalFormatSymbols.getInstance(Locale.ROOT)));
    if (lr.any() && lr.min() > 0) {
      // whole decades, so the ends are labelled too
      double lo = Math.pow(10, Math.floor(Math.log10(lr.min()) + 1e-9));
      double hi = Math.pow(10, Math.ceil(Math.log10(lr.max()) - 1e-9));
      axis.setRange(hi > lo ? lo : lo / 10, hi > lo ? hi : hi * 10);
    }
    return axis;
  }

  private static JFreeChart panel(
      String title, Lines lines, org.jfree.chart.axis.ValueAxis rangeAxis, Metrics m, double rejuvenation,
      boolean labelMarker, String note) {
    double[] epoch = m.column("epoch");
    NumberAxis x = new NumberAxis("epoch");
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    x.setRange(epoch[0] - 0.5, epoch[epoch.length - 1] + 0.5);
    XYPlot plot = new XYPlot(lines.data, x, rangeAxis, lines.renderer());
    plot.setDomainGridlinePaint(Charts.GRID);
    plot.setRangeGridlinePaint(Charts.GRID);
    // the same room for the axes in every panel (a right axis or none), so the epochs line up
    org.jfree.chart.axis.AxisSpace space = new org.jfree.chart.axis.AxisSpace();
    space.setLeft(80);
    space.setRight(80);
    plot.setFixedRangeAxisSpace(space);
    if (!Double.isNaN(rejuvenation)) {
      ValueMarker mark = new ValueMarker(rejuvenation, Color.GRAY, Charts.MARKER);
      if (labelMarker) {
        mark.setLabel("rejuvenation");
        mark.setLabelFont(Charts.NOTE);
        mark.setLabelBackgroundColor(Color.WHITE);
        mark.setLabelAnchor(RectangleAnchor.TOP_LEFT); // left of the line, before the jump
        mark.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
      }
      plot.addDomainMarker(mark);
    }
    return Charts.styled(new JFreeChart(title, Charts.TITLE, plot, true), note, org.jfree.chart.ui.RectangleEdge.BOTTOM);
  }
}
