package io.nrj.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsCsvTest {
  static MetricsCsv.Row row(int epoch, double top1) {
    double nan = Double.NaN;
    return new MetricsCsv.Row(epoch, "plain", 0.1, 0, 1, 0.5, 1, top1, 0.9, nan, nan, nan, 100, 2, 50, nan, nan, nan, nan);
  }

  /**
   * A run resumed in its own directory at 0-based epoch 2 has finished epochs 1 and 2 of the file:
   * both rows stay, the redone epoch 3 is replaced. (The rows of the last finished epoch used to be
   * dropped, so every in-place resume lost one epoch of metrics.)
   */
  @Test
  void resumingKeepsEveryFinishedEpochAndDropsTheOnesToRedo(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("metrics.csv");
    MetricsCsv first = new MetricsCsv(file, 0);
    for (int e = 1; e <= 3; e++) first.append(row(e, e / 10.0));
    MetricsCsv resumed = new MetricsCsv(file, 2);
    resumed.append(row(3, 0.35));
    List<String> lines = Files.readAllLines(file);
    assertEquals(4, lines.size(), String.join("\n", lines));
    assertEquals(List.of("1", "2", "3"), lines.subList(1, 4).stream().map(l -> l.substring(0, l.indexOf(','))).toList());
    assertEquals("0.350000", lines.get(3).split(",")[7]);
    assertEquals("0.200000", lines.get(2).split(",")[7]);
  }
}
