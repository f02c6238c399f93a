package io.nrj.runtime.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.ir.NrSettings;
import io.nrj.runtime.nr.RejuvenationReport;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.CategoryDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 12: "no picture of what NR did to the widths": widths.png, per layer declared / live / after. */
class WidthsChartTest {
  @TempDir Path dir;

  static final RejuvenationReport REPORT =
      new RejuvenationReport(
          3, NrSettings.Measure.PARAMS, 159847, 425500, 0.3757, 1.631539, Optional.empty(),
          List.of(
              new RejuvenationReport.Layer("features.0", 19, 20, 1, 1, 30, false, false),
              new RejuvenationReport.Layer("features.2", 36, 50, 19, 20, 58, false, true),
              new RejuvenationReport.Layer("features.4", 247, 500, 36, 50, 402, false, true)),
          new RejuvenationReport.Classifier("classifier", 247, 500, 402));

  @Test
  void threeBarsPerLayerFromTheReport() {
    JFreeChart chart = WidthsChart.chart(REPORT);
    assertEquals("widths at rejuvenation after epoch 4", chart.getTitle().getText());
    CategoryPlot plot = chart.getCategoryPlot();
    assertEquals(PlotOrientation.HORIZONTAL, plot.getOrientation());
    CategoryDataset d = plot.getDataset();
    assertEquals(List.of("features.0", "features.2", "features.4"), d.getColumnKeys());
    assertEquals(List.of("before (declared)", "alive at the trigger", "after (survivors + new)"), d.getRowKeys());
    assertEquals(500, d.getValue("before (declared)", "features.4").intValue());
    assertEquals(247, d.getValue("alive at the trigger", "features.4").intValue());
    assertEquals(402, d.getValue("after (survivors + new)", "features.4").intValue());
    assertEquals(org.jfree.chart.ui.RectangleEdge.RIGHT, chart.getLegend().getPosition());
  }

  @Test
  void writesAPngThatGrowsWithTheLayers() throws IOException {
    Path png = dir.resolve("widths.png");
    WidthsChart.write(REPORT, png);
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(WidthsChart.WIDTH, img.getWidth());
    assertEquals(140 + 3 * 30, img.getHeight());
    assertTrue(img.getRGB(img.getWidth() / 2, img.getHeight() / 2) != 0, "drawn");
  }
}
