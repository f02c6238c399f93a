package io.nrj.runtime.train;

import io.nrj.runtime.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws {@code metrics.csv} as {@code metrics.png}: loss (train, test) above and top-1 (train,
 * test, and the survivor and new paths after rejuvenation) below, by epoch, with a dashed line at
 * rejuvenation. A plain picture for a quick look, not a plotting library: fixed size, linear axes.
 */
public final class MetricsPlot {
  private static final int W = 900;
  private static final int H = 640;
  private static final Color[] COLORS = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e)
  };

  private MetricsPlot() {}

  /** Reads {@code csv} (as MetricsCsv writes it) and writes the PNG atomically. */
  public static void write(Path csv, Path png) throws IOException {
    List<String[]> rows = new ArrayList<>();
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) rows.add(line.split(",", -1));
    if (rows.isEmpty()) return;
    System.setProperty("java.awt.headless", "true");
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, W, H);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    int mixedFrom = -1;
    for (int i = 0; i < rows.size(); i++) if (mixedFrom < 0 && rows.get(i)[1].equals("mixed")) mixedFrom = i;
    panel(g, rows, 20, "loss", new int[] {4, 6}, new String[] {"train", "test"}, 1, mixedFrom);
    panel(g, rows, H / 2 + 10, "top-1 (%)", new int[] {5, 7, 9, 10}, new String[] {"train", "test", "test survivor", "test new"}, 100, mixedFrom);
    g.dispose();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ImageIO.write(img, "png", bytes);
    AtomicFiles.write(png, ch -> AtomicFiles.writeFully(ch, ByteBuffer.wrap(bytes.toByteArray())));
  }

  private static void panel(
      Graphics2D g, List<String[]> rows, int top, String title, int[] cols, String[] names, double scale, int mixedFrom) {
    int left = 70;
    int right = W - 20;
    int height = H / 2 - 60;
    int bottom = top + height;
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (String[] r : rows) {
      for (int c : cols) {
        double v = value(r, c) * scale;
        if (!Double.isNaN(v)) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    if (!(hi > lo)) {
      hi = lo + 1;
    }
    double pad = 0.05 * (hi - lo);
    lo -= pad;
    hi += pad;
    int n = rows.size();
    g.setColor(Color.BLACK);
    g.drawRect(left, top, right - left, height);
    g.drawString(title, left, top - 4);
    for (int t = 0; t <= 4; t++) {
      double v = lo + (hi - lo) * t / 4;
      int y = bottom - (int) Math.round(height * (v - lo) / (hi - lo));
      g.setColor(new Color(0xdddddd));
      g.drawLine(left + 1, y, right - 1, y);
      g.setColor(Color.BLACK);
      g.drawString(String.format(Locale.ROOT, "%.3g", v), 8, y + 4);
    }
    for (int i = 0; i < n; i++) {
      if (n <= 20 || i % (n / 10 + 1) == 0 || i == n - 1) {
        g.drawString(rows.get(i)[0], x(i, n, left, right) - 4, bottom + 14);
      }
    }
    g.drawString("epoch", (left + right) / 2 - 15, bottom + 28);
    if (mixedFrom > 0) {
      int x = (x(mixedFrom - 1, n, left, right) + x(mixedFrom, n, left, right)) / 2;
      g.setColor(Color.GRAY);
      g.setStroke(new BasicStroke(1, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {5, 5}, 0));
      g.drawLine(x, top, x, bottom);
      g.drawString("rejuvenation", x + 4, top + 14);
    }
    g.setStroke(new BasicStroke(2));
    int legendX = left + 10;
    for (int k = 0; k < cols.length; k++) {
      g.setColor(COLORS[k]);
      int px = -1;
      int py = -1;
      boolean any = false;
      for (int i = 0; i < n; i++) {
        double v = value(rows.get(i), cols[k]) * scale;
        if (Double.isNaN(v)) {
          px = -1;
          continue;
        }
        any = true;
        int x = x(i, n, left, right);
        int y = bottom - (int) Math.round(height * (v - lo) / (hi - lo));
        if (px >= 0) g.drawLine(px, py, x, y);
        g.fillOval(x - 2, y - 2, 5, 5);
        px = x;
        py = y;
      }
      if (any) {
        g.drawLine(legendX, bottom - 12, legendX + 20, bottom - 12);
        g.drawString(names[k], legendX + 24, bottom - 8);
        legendX += 40 + g.getFontMetrics().stringWidth(names[k]);
      }
    }
    g.setStroke(new BasicStroke(1));
  }

  private static int x(int i, int n, int left, int right) {
    return n == 1 ? (left + right) / 2 : left + 10 + (int) Math.round((right - left - 20) * (double) i / (n - 1));
  }

  private static double value(String[] row, int col) {
    if (col >= row.length || row[col].isEmpty()) return Double.NaN;
    return Double.parseDouble(row[col]);
  }
}
