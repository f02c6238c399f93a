package io.nrj.cli.compare;

import io.nrj.runtime.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * {@code compare.png}: test top-1 against epoch for every run, one colour per arm (the seeds of an
 * arm share it), each NR run's rejuvenation marked by a dot on its curve and a dashed vertical line
 * at that epoch. Drawn with JFreeChart, headless.
 */
public final class ComparePlot {
  static final int WIDTH = 960;
  static final int HEIGHT = 560;

  // Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
  private static final Map<Arm, Color> COLOURS =
      Map.of(
          Arm.NR, new Color(0xD5, 0x5E, 0x00),
          Arm.BASELINE, new Color(0x00, 0x72, 0xB2),
          Arm.BASELINE_LONG, new Color(0xCC, 0x79, 0xA7),
          Arm.EQUAL_USED, new Color(0x00, 0x9E, 0x73));

  private ComparePlot() {}

  /** Writes the chart of {@code runs} (arm order, seed order) to {@code file} atomically. */
  public static void write(String title, Map<Arm, List<RunSummary>> runs, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    JFreeChart chart = chart(title, runs);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ChartUtils.writeChartAsPNG(png, chart, WIDTH, HEIGHT);
    byte[] bytes = png.toByteArray();
    AtomicFiles.write(file, ch -> AtomicFiles.writeFully(ch, ByteBuffer.wrap(bytes)));
  }

  static JFreeChart chart(String title, Map<Arm, List<RunSummary>> runs) {
    XYSeriesCollection curves = new XYSeriesCollection();
    XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, false);
    XYSeriesCollection triggers = new XYSeriesCollection();
    XYSeries dots = new XYSeries("NR rejuvenates (after this epoch)");
    TreeSet<Integer> triggerEpochs = new TreeSet<>();
    int series = 0;
    for (Map.Entry<Arm, List<RunSummary>> e : runs.entrySet()) {
      boolean first = true;
      for (RunSummary r : e.getValue()) {
        // One legend entry per arm: the first seed's series carries the arm's name.
        XYSeries s = new XYSeries(first ? e.getKey().label() : e.getKey().label() + " seed " + r.run().seed());
        for (int i = 0; i < r.top1().length; i++) s.add(i + 1, 100 * r.top1()[i]);
        curves.addSeries(s);
        lines.setSeriesPaint(series, COLOURS.get(e.getKey()));
        lines.setSeriesStroke(series, new BasicStroke(1.6f));
        lines.setSeriesVisibleInLegend(series, first);
        series++;
        first = false;
        if (r.rejuvenated()) {
          dots.add(r.sparseEpochs(), 100 * r.top1()[r.sparseEpochs() - 1]);
          triggerEpochs.add(r.sparseEpochs());
        }
      }
    }
    NumberAxis x = new NumberAxis("epoch");
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    x.setAutoRangeIncludesZero(false);
    NumberAxis y = new NumberAxis("test top-1 (%)");
    y.setAutoRangeIncludesZero(false);
    XYPlot plot = new XYPlot(curves, x, y, lines);
    if (!dots.isEmpty()) {
      triggers.addSeries(dots);
      XYLineAndShapeRenderer shapes = new XYLineAndShapeRenderer(false, true);
      shapes.setSeriesPaint(0, Color.BLACK);
      shapes.setSeriesShape(0, new Ellipse2D.Double(-4, -4, 8, 8));
      plot.setDataset(1, triggers);
      plot.setRenderer(1, shapes);
    }
    for (int epoch : triggerEpochs) {
      ValueMarker m = new ValueMarker(epoch);
      m.setPaint(Color.GRAY);
      m.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {5f, 4f}, 0f));
      plot.addDomainMarker(m);
    }
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
    plot.setRangeGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
    JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    LegendTitle legend = chart.getLegend();
    legend.setPosition(RectangleEdge.BOTTOM);
    return chart;
  }
}
