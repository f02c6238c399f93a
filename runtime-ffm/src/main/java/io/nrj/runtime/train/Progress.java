package io.nrj.runtime.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress within a training epoch: batches done of the epoch's total, images per second, the
 * running loss and top-1, the phase (sparse, mixed...) with the last measured utilization, and the
 * time left in the epoch and in the run.
 *
 * <p>On a terminal one line is redrawn in place (carriage return, at most ten times a second, cut
 * to the terminal's width so it never wraps) and cleared when the epoch ends, where the loop
 * prints its summary line. Elsewhere (a log file, a pipe) nothing is redrawn: a plain line every
 * {@code every} seconds, so a long epoch still shows signs of life and the log stays readable.
 *
 * <p>The run's time left counts the epochs planned now; while the network is still sparse more
 * may follow (each sparse epoch adds one), so that figure is then a lower bound, shown with
 * "&gt;=".
 */
public final class Progress {
  /** Where an epoch stands in the run. */
  public record Epoch(String label, int batches, int batchSize, String phase, double utilization, int epochsAfter, boolean moreMayFollow) {}

  private final PrintStream out;
  private final boolean terminal;
  private final long everyNanos;
  private Epoch epoch;
  private long startNanos;
  private long lastLine;
  private double lastEpochSeconds = Double.NaN; // a whole epoch (training + evaluation), for the run's time left
  private boolean drawn;

  /**
   * @param terminal redraw one line in place
   * @param everySeconds without a terminal: seconds between plain lines (0: none)
   */
  public Progress(PrintStream out, boolean terminal, double everySeconds) {
    this.out = out;
    this.terminal = terminal;
    this.everyNanos = everySeconds > 0 ? (long) (everySeconds * 1e9) : Long.MAX_VALUE;
  }

  public void start(Epoch e) {
    this.epoch = e;
    this.startNanos = System.nanoTime();
    this.lastLine = startNanos;
    this.drawn = false;
  }

  /** After batch {@code done} of the epoch, with the running loss and top-1. */
  public void update(int done, double loss, double top1) {
    long now = System.nanoTime();
    if (terminal) {
      if (done < epoch.batches() && now - lastLine < 100_000_000L) return;
      lastLine = now;
      String line = line(done, loss, top1, now);
      int width = Terminal.columns() - 1;
      out.print("\r" + (line.length() > width ? line.substring(0, Math.max(0, width)) : line) + "\u001b[K");
      out.flush();
      drawn = true;
    } else if (now - lastLine >= everyNanos && done < epoch.batches()) {
      lastLine = now;
      out.println(line(done, loss, top1, now));
    }
  }

  /** Ends the epoch's live line (clears it on a terminal); {@code seconds}: the epoch's whole time. */
  public void finish(double seconds) {
    lastEpochSeconds = seconds;
    if (terminal && drawn) {
      out.print("\r\u001b[K");
      out.flush();
    }
  }

  String line(int done, double loss, double top1, long now) {
    double elapsed = (now - startNanos) / 1e9;
    int total = epoch.batches();
    double epochLeft = done == 0 ? Double.NaN : elapsed * (total - done) / done;
    double perEpoch = !Double.isNaN(lastEpochSeconds) ? lastEpochSeconds : done == 0 ? Double.NaN : elapsed * total / done;
    double runLeft = epochLeft + epoch.epochsAfter() * perEpoch;
    String u = Double.isNaN(epoch.utilization()) ? "" : String.format(Locale.ROOT, " u %.3f", epoch.utilization());
    return String.format(
        Locale.ROOT, "%s  %d/%d  %.0f img/s  loss %.4f%s  top1 %.2f%%  %s%s  eta %s, run %s%s", epoch.label(), done, total,
        elapsed > 0 ? done * (double) epoch.batchSize() / elapsed : 0.0, loss,
        // after rejuvenation the loss is the sum of the two paths' cross-entropies (spec §6.4)
        epoch.phase().equals("mixed") ? " (survivor+new)" : "", 100 * top1, epoch.phase(), u,
        clock(epochLeft), epoch.moreMayFollow() ? ">=" : "", clock(runLeft));
  }

  static String clock(double seconds) {
    if (Double.isNaN(seconds)) return "?";
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
