package io.nrj.runtime.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.runtime.train.MetricsCsv;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, "metrics.png": the hand-drawn picture had ticks like 0.485, a loss axis below zero, a
 * lost x label, a legend on the data, no title and no lr, λ or utilization panel, and a loss that
 * jumped at rejuvenation without saying why. The charts are checked as JFreeChart models (axes,
 * ticks, legends, markers) and the PNG is written and read back.
 */
class MetricsChartTest {
  @TempDir Path dir;

  /** An NR run as MetricsCsv writes it: 4 sparse epochs, rejuvenation, 4 mixed epochs. */
  private Path csv() throws IOException {
    Path file = dir.resolve("metrics.csv");
    MetricsCsv m = new MetricsCsv(file, 0);
    double[] u = {1.0, 0.951, 0.563, 0.376};
    for (int e = 1; e <= 8; e++) {
      boolean mixed = e > 4;
      double lr = e <= 6 ? 0.05 : e <= 7 ? 0.005 : 0.0005;
      double train = mixed ? 0.46 / (e - 4) : 0.3 / e;
      m.append(new MetricsCsv.Row(
          e, mixed ? "mixed" : "sparse", lr, mixed ? 0 : 5e-3, train, 0.9 + 0.01 * e, 0.2 / e, 0.94 + 0.005 * e,
          0.99, mixed ? 0.97 : Double.NaN, mixed ? 0.96 : Double.NaN, mixed ? Double.NaN : u[e - 1], 431650,
          5.0, 1000, mixed ? train * 0.2 : Double.NaN, mixed ? train * 0.8 : Double.NaN, mixed ? 0.05 : Double.NaN,
          mixed ? 0.1 : Double.NaN));
    }
    return file;
  }

  private static List<String> series(XYPlot plot) {
    List<String> names = new ArrayList<>();
    for (int d = 0; d < plot.getDatasetCount(); d++) {
      for (int s = 0; s < plot.getDataset(d).getSeriesCount(); s++) names.add(plot.getDataset(d).getSeriesKey(s).toString());
    }
    return names;
  }

  /** 1, 2, 2.5 or 5 times a power of ten: a tick step a person reads at a glance. */
  private static boolean round(double step) {
    double mantissa = step / Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
    for (double r : new double[] {1, 2, 2.5, 5, 10}) if (Math.abs(mantissa - r) < 1e-6) return true;
    return false;
  }

  @Test
  void fourTitledPanelsWithRoundTicksLegendsBelowAndTheRejuvenationExplained() throws IOException {
    List<JFreeChart> panels = MetricsChart.panels(MetricsChart.Metrics.read(csv()), 0.5);
    assertEquals(List.of("loss", "top-1 accuracy", "learning rate and \u03bb", "utilization"),
        panels.stream().map(c -> c.getTitle().getText()).toList());
    for (JFreeChart c : panels) {
      assertEquals(RectangleEdge.BOTTOM, c.getLegend().getPosition(), "legend outside the data");
      XYPlot p = c.getXYPlot();
      NumberAxis x = (NumberAxis) p.getDomainAxis();
      assertEquals("epoch", x.getLabel());
      assertEquals(0.5, x.getLowerBound());
      assertEquals(8.5, x.getUpperBound());
      assertEquals(1.0, x.getTickUnit().getSize(), "every epoch labelled, in whole numbers");
      assertTrue(p.getRangeAxis() instanceof LogAxis || round(((NumberAxis) p.getRangeAxis()).getTickUnit().getSize()),
          c.getTitle().getText() + ": tick step " + p.getRangeAxis());
      ValueMarker rejuvenation = (ValueMarker) p.getDomainMarkers(org.jfree.chart.ui.Layer.FOREGROUND).iterator().next();
      assertEquals(4.5, rejuvenation.getValue(), "between the last sparse and the first mixed epoch");
    }
    XYPlot loss = panels.get(0).getXYPlot();
    assertEquals(0.0, loss.getRangeAxis().getLowerBound(), "the loss axis starts at 0");
    assertEquals(List.of("train", "test", "train, survivor path", "test, survivor path", "train, new path", "test, new path"),
        series(loss));
    TextTitle note = (TextTitle) panels.get(0).getSubtitle(1);
    assertTrue(note.getText().contains("sum of two cross-entropies, one per path"), note.getText());
    assertEquals(List.of("train", "test", "test, survivor path", "test, new path"), series(panels.get(1).getXYPlot()));
    assertTrue(panels.get(1).getXYPlot().getRangeAxis().getUpperBound() <= 100);
    XYPlot lr = panels.get(2).getXYPlot();
    assertEquals(List.of("learning rate (left axis, log scale)", "\u03bb, the L1 coefficient on BN scales (right axis)"), series(lr));
    assertNotNull(lr.getRangeAxis(1), "\u03bb on its own axis");
    XYPlot u = panels.get(3).getXYPlot();
    assertEquals(List.of("utilization", "target 0.500"), series(u));
    assertEquals(0.5, u.getDataset().getYValue(1, 0), "the target as a line");
  }

  @Test
  void aPlainRunHasNoUtilizationPanelAndNoRejuvenationLine() throws IOException {
    Path file = dir.resolve("plain.csv");
    MetricsCsv m = new MetricsCsv(file, 0);
    for (int e = 1; e <= 3; e++) {
      m.append(new MetricsCsv.Row(e, "plain", 0.1, 0, 1.0 / e, 0.5, 1.2 / e, 0.4, 0.9, Double.NaN, Double.NaN, Double.NaN,
          100, 1, 10, Double.NaN, Double.NaN, Double.NaN, Double.NaN));
    }
    List<JFreeChart> panels = MetricsChart.panels(MetricsChart.Metrics.read(file), Double.NaN);
    assertEquals(3, panels.size());
    assertTrue(panels.getFirst().getXYPlot().getDomainMarkers(org.jfree.chart.ui.Layer.FOREGROUND) == null);
    assertEquals(List.of("train", "test"), series(panels.getFirst().getXYPlot()));
    assertEquals(1, panels.get(2).getXYPlot().getDatasetCount() - (panels.get(2).getXYPlot().getDataset(1) == null ? 0 : 1),
        "no \u03bb series when \u03bb is 0 all along");
  }

  @Test
  void writesOnePngOfAllPanels() throws IOException {
    Path png = dir.resolve("metrics.png");
    MetricsChart.write(csv(), 0.5, png);
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(MetricsChart.WIDTH, img.getWidth());
    assertEquals(4 * MetricsChart.PANEL_HEIGHT + 60, img.getHeight());
    assertTrue(Files.size(png) > 10_000, "a picture, not a blank page");
  }
}
