package io.nrj.runtime.train;

import io.nrj.runtime.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code metrics.csv}: one row per epoch. Rewritten whole (atomically) after each epoch, so a killed
 * run never leaves a torn row, and a resumed run drops rows of epochs it will redo.
 */
public final class MetricsCsv {
  public static final String HEADER =
      "epoch,phase,lr,lambda,train_loss,train_top1,test_loss,test_top1,test_top5,"
          + "test_top1_survivor,test_top1_new,utilization,params,seconds,train_img_per_s,"
          + "train_loss_survivor,train_loss_new,test_loss_survivor,test_loss_new";

  private final Path file;
  private final List<String> rows = new ArrayList<>();

  /**
   * Opens {@code file}, keeping the existing rows of the epochs before the 0-based {@code
   * firstEpoch}: the rows numbered 1 to firstEpoch (the file counts epochs from 1), all of which a
   * run resuming at {@code firstEpoch} has finished.
   */
  public MetricsCsv(Path file, int firstEpoch) throws IOException {
    this.file = file;
    if (firstEpoch > 0 && Files.exists(file)) {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
        int comma = line.indexOf(',');
        if (comma > 0 && Integer.parseInt(line.substring(0, comma)) <= firstEpoch) rows.add(padded(line));
      }
    }
  }

  /**
   * One finished epoch (1-based epoch number in the file; NaN values are written empty). After
   * rejuvenation the train and test losses are the sums of the survivor and new sets' losses
   * (spec §6.4), which the four per-set columns give separately.
   */
  public record Row(
      int epoch, String phase, double lr, double lambda, double trainLoss, double trainTop1,
      double testLoss, double testTop1, double testTop5, double survivorTop1, double newTop1,
      double utilization, long params, double seconds, double imgPerSec, double trainLossSurvivor,
      double trainLossNew, double testLossSurvivor, double testLossNew) {}

  public void append(Row r) throws IOException {
    rows.add(
        String.join(
            ",",
            Integer.toString(r.epoch()),
            r.phase(),
            num(r.lr()),
            num(r.lambda()),
            num(r.trainLoss()),
            num(r.trainTop1()),
            num(r.testLoss()),
            num(r.testTop1()),
            num(r.testTop5()),
            num(r.survivorTop1()),
            num(r.newTop1()),
            num(r.utilization()),
            Long.toString(r.params()),
            String.format(Locale.ROOT, "%.3f", r.seconds()),
            String.format(Locale.ROOT, "%.1f", r.imgPerSec()),
            num(r.trainLossSurvivor()),
            num(r.trainLossNew()),
            num(r.testLossSurvivor()),
            num(r.testLossNew())));
    StringBuilder sb = new StringBuilder(HEADER).append('\n');
    for (String row : rows) sb.append(row).append('\n');
    AtomicFiles.writeString(file, sb.toString());
  }

  /** A row of a file an older nrj wrote, with empty cells for the columns added since. */
  private static String padded(String line) {
    long missing = HEADER.chars().filter(c -> c == ',').count() - line.chars().filter(c -> c == ',').count();
    return missing > 0 ? line + ",".repeat((int) missing) : line;
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
  }
}
