package io.nrj.runtime.report;

import io.nrj.runtime.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;

/**
 * The look every nrj chart shares (white background, light grid, the legend outside the data so it
 * never covers it, one palette) and the PNG writer: charts stacked into one image,
 * written atomically (a reader never sees half a picture). Drawing needs no display: {@code
 * java.awt.headless} is set before the first AWT class loads.
 */
final class Charts {
  static {
    System.setProperty("java.awt.headless", "true"); // before any AWT class asks
  }

  static final Color GRID = new Color(0xdddddd);
  /** Tableau 10: distinct in print and for the common colour-vision deficiencies. */
  static final Color[] PALETTE = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd),
    new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)
  };
  static final Stroke LINE = new BasicStroke(2f);
  static final Stroke DASHED = new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);
  static final Stroke MARKER =
      new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f);
  static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15);
  static final Font NOTE = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

  private Charts() {}

  /** Applies the shared look to a chart whose plot is already built; the legend goes to {@code legendEdge}. */
  static JFreeChart styled(JFreeChart chart, String note, RectangleEdge legendEdge) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.setAntiAlias(true);
    chart.setTextAntiAlias(true);
    chart.getTitle().setFont(TITLE);
    chart.setPadding(new RectangleInsets(6, 6, 6, 12));
    if (note != null) {
      TextTitle t = new TextTitle(note, NOTE);
      t.setPaint(Color.DARK_GRAY);
      chart.addSubtitle(t);
    }
    LegendTitle legend = chart.getLegend();
    if (legend != null) {
      legend.setPosition(legendEdge);
      legend.setItemFont(NOTE);
      legend.setFrame(new org.jfree.chart.block.BlockBorder(GRID));
    }
    Plot p = chart.getPlot();
    p.setBackgroundPaint(Color.WHITE);
    p.setOutlinePaint(Color.GRAY);
    return chart;
  }

  static Paint color(int i) {
    return PALETTE[i % PALETTE.length];
  }

  /** Draws {@code charts} one below the other ({@code width} x {@code heights[i]}) into a PNG. */
  static void writePng(List<JFreeChart> charts, int width, int[] heights, Path png) throws IOException {
    int total = 0;
    for (int h : heights) total += h;
    BufferedImage img = new BufferedImage(width, total, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, total);
      int y = 0;
      for (int i = 0; i < charts.size(); i++) {
        charts.get(i).draw(g, new Rectangle2D.Double(0, y, width, heights[i]));
        y += heights[i];
      }
    } finally {
      g.dispose();
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(img, "png", bytes);
    AtomicFiles.write(png, ch -> AtomicFiles.writeFully(ch, ByteBuffer.wrap(bytes.toByteArray())));
  }
}
