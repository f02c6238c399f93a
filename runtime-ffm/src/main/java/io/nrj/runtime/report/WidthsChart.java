package io.nrj.runtime.report;

import io.nrj.runtime.nr.RejuvenationReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * {@code widths.png}: what rejuvenation did to each NR convolution, as three bars per layer, in
 * network order from the top: the width before (as declared, or as the last rejuvenation left
 * it), how many of those channels were alive at the trigger, and the width after rejuvenation
 * (the survivors plus the new channels the freed budget paid for, spec §5). A deleted layer has no
 * live and no new bar. Horizontal bars, so layer names stay readable for deep networks; the
 * picture grows with the number of layers.
 */
public final class WidthsChart {
  static final int WIDTH = 1000;

  private WidthsChart() {}

  /** Writes the picture of {@code report} to {@code png}. */
  public static void write(RejuvenationReport report, Path png) throws IOException {
    JFreeChart chart = chart(report);
    Charts.writePng(List.of(chart), WIDTH, new int[] {height(report)}, png);
  }

  static int height(RejuvenationReport report) {
    return 140 + 30 * report.layers().size();
  }

  static JFreeChart chart(RejuvenationReport report) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (RejuvenationReport.Layer l : report.layers()) {
      data.addValue(l.totalOut(), "before (declared)", l.name());
      data.addValue(l.liveOut(), "alive at the trigger", l.name());
      data.addValue(l.widthAfter(), "after (survivors + new)", l.name());
    }
    CategoryAxis layers = new CategoryAxis("layer");
    layers.setCategoryMargin(0.25);
    NumberAxis channels = new NumberAxis("output channels");
    channels.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    BarRenderer bars = new BarRenderer();
    bars.setBarPainter(new StandardBarPainter());
    bars.setShadowVisible(false);
    bars.setItemMargin(0.05);
    for (int i = 0; i < 3; i++) bars.setSeriesPaint(i, Charts.color(new int[] {7, 1, 2}[i]));
    CategoryPlot plot = new CategoryPlot(data, layers, channels, bars);
    plot.setOrientation(PlotOrientation.HORIZONTAL);
    plot.setRangeGridlinePaint(Charts.GRID);
    String title = String.format(
        Locale.ROOT, "widths at rejuvenation after epoch %d", report.afterEpoch() + 1);
    String note = String.format(
        Locale.ROOT, "utilization %.3f (%,d of %,d %s alive), expand rate %.3f: a layer's width after is about its live channels times that",
        report.utilization(), report.live(), report.all(),
        report.measure() == io.nrj.dsl.ir.NrSettings.Measure.FLOPS ? "MACs" : "weights", report.expandRate());
    plot.setRangeAxisLocation(org.jfree.chart.axis.AxisLocation.BOTTOM_OR_LEFT); // channels below the bars
    return Charts.styled(new JFreeChart(title, Charts.TITLE, plot, true), note, org.jfree.chart.ui.RectangleEdge.RIGHT);
  }
}
