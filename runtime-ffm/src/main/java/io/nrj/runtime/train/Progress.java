package io.nrj.runtime.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The live progress line of a training epoch: a bar, batches done, ETA, running loss and accuracy.
 * On a terminal it redraws one line with carriage returns (at most ~10 times a second); otherwise
 * it prints nothing per batch, and the loop prints one plain line per epoch.
 */
public final class Progress {
  private final PrintStream out;
  private final boolean terminal;
  private String label;
  private int total;
  private long startNanos;
  private long lastDraw;

  public Progress(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** True when stdout is an interactive terminal. */
  public static boolean stdoutIsTerminal() {
    java.io.Console c = System.console();
    return c != null && c.isTerminal();
  }

  public void start(String label, int totalBatches) {
    this.label = label;
    this.total = totalBatches;
    this.startNanos = System.nanoTime();
    this.lastDraw = 0;
  }

  public void update(int done, double loss, double top1) {
    if (!terminal) return;
    long now = System.nanoTime();
    if (done < total && now - lastDraw < 100_000_000L) return;
    lastDraw = now;
    double elapsed = (now - startNanos) / 1e9;
    double eta = done == 0 ? 0 : elapsed * (total - done) / done;
    int width = 24;
    int filled = total == 0 ? width : (int) ((long) width * done / total);
    String bar = "=".repeat(filled) + (filled < width ? ">" : "") + " ".repeat(Math.max(0, width - filled - 1));
    out.printf(
        Locale.ROOT, "\r%s [%s] %d/%d  eta %s  loss %.4f  top1 %.2f%%\u001b[K", label, bar, done, total,
        clock(eta), loss, 100 * top1);
    out.flush();
  }

  /** Ends the epoch's line (clears it on a terminal). */
  public void finish() {
    if (terminal) {
      out.print("\r\u001b[K");
      out.flush();
    }
  }

  static String clock(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
