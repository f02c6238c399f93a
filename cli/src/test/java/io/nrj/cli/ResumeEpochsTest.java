package io.nrj.cli;

import static io.nrj.cli.TrainCommandTest.nrj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.runtime.checkpoint.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, "--epochs on resume": with --resume, --epochs N ends the run at epoch N of the counter
 * the user saw (not N planned epochs plus the sparse shift); a resume with nothing left says so,
 * exits 0 and writes nothing; the counter's total stays put while the sparse phase adds epochs
 * ("epoch 2/2 (+2 sparse)"); the resume header counts the parameters of the network it trains.
 */
class ResumeEpochsTest {
  private static final Pattern COUNTER = Pattern.compile("^epoch (\\d+)/(\\d+)(?: \\(\\+(\\d+) sparse\\))?  lr ", Pattern.MULTILINE);

  @TempDir static Path dir;
  static Path spec;
  static Path data;
  static Path first;
  static TrainCommandTest.Run full;

  @BeforeAll
  static void trainOnce() throws IOException {
    spec = dir.resolve("tiny_nr.nr");
    Files.writeString(spec, NrTrainCommandTest.SPEC);
    data = TinyMnist.write(dir.resolve("data"), 96, 50);
    first = dir.resolve("first");
    full = nrj("train", spec.toString(), "--data", data.toString(), "--device", "cpu", "--out", first.toString());
    assertEquals(0, full.code(), full.err());
  }

  private static List<String> metrics(Path out) throws IOException {
    List<String> lines = Files.readAllLines(out.resolve("metrics.csv"));
    return lines.subList(1, lines.size());
  }

  @Test
  void theCounterTotalStaysPutAndTheSparseShiftIsShownApart() throws IOException {
    Matcher m = COUNTER.matcher(full.out());
    int epochs = 0;
    int sparse = 0;
    while (m.find()) {
      epochs++;
      assertEquals(epochs, Integer.parseInt(m.group(1)), full.out());
      assertEquals("2", m.group(2), "the planned epochs, every line: " + full.out());
      if (m.group(3) != null) sparse = Integer.parseInt(m.group(3));
    }
    assertEquals(metrics(first).size(), epochs);
    assertTrue(sparse >= 1, "the NR run had no sparse epoch:\n" + full.out());
    assertEquals(2 + sparse, epochs, "the run ends at planned + sparse:\n" + full.out());
    assertTrue(full.out().contains("trained " + epochs + " epochs in "), full.out());
  }

  @Test
  void resumeWithEpochsEndsAtThatEpochOfTheCounter() throws IOException {
    int done = metrics(first).size();
    Path more = dir.resolve("more");
    TrainCommandTest.Run r = nrj("train", spec.toString(), "--data", data.toString(), "--device", "cpu", "--out", more.toString(),
        "--resume", first.resolve("checkpoint.safetensors").toString(), "--epochs", Integer.toString(done + 1));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("resuming at epoch " + (done + 1)), r.out());
    assertTrue(r.out().contains("trained 1 epoch in "), "exactly one more epoch, singular:\n" + r.out());
    assertEquals(done + 1, Checkpoint.read(more.resolve("checkpoint.safetensors")).epoch());
    Matcher m = COUNTER.matcher(r.out());
    assertTrue(m.find(), r.out());
    assertEquals(done + 1, Integer.parseInt(m.group(1)));
    assertEquals(done + 1, Integer.parseInt(m.group(2)) + Integer.parseInt(m.group(3)), "planned + sparse = the end: " + r.out());
  }

  @Test
  void aResumeWithNothingLeftSaysSoExitsZeroAndWritesNothing() throws IOException {
    int done = metrics(first).size();
    for (String epochs : new String[] {Integer.toString(done), "1"}) {
      Path none = dir.resolve("none-" + epochs);
      TrainCommandTest.Run r = nrj("train", spec.toString(), "--data", data.toString(), "--device", "cpu", "--out", none.toString(),
          "--resume", first.resolve("checkpoint.safetensors").toString(), "--epochs", epochs);
      assertEquals(0, r.code(), r.err());
      assertEquals(
          "nrj train: nothing to train: " + first.resolve("checkpoint.safetensors") + " is at epoch " + done
              + " and the run ends at epoch " + epochs + " (--epochs " + epochs + "); no files written\n",
          r.out());
      assertFalse(Files.exists(none), none + " was created");
    }
  }

  @Test
  void theResumeHeaderCountsTheParametersOfTheRejuvenatedNetwork() throws IOException {
    List<String> rows = metrics(first);
    String params = rows.getLast().split(",")[12]; // after rejuvenation
    assertTrue(rows.stream().anyMatch(l -> l.contains(",mixed,")), "no rejuvenation in the first run");
    TrainCommandTest.Run r = nrj("train", spec.toString(), "--data", data.toString(), "--device", "cpu",
        "--out", dir.resolve("header").toString(), "--resume", first.resolve("checkpoint.safetensors").toString(),
        "--epochs", Integer.toString(rows.size() + 1));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("nrj train: tiny (" + params + " parameters) with quick_nr"), r.out() + " vs " + params);
  }
}
