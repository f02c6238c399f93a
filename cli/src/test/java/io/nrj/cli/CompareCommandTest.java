package io.nrj.cli;

import static io.nrj.cli.TrainCommandTest.nrj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.cli.compare.Arm;
import io.nrj.cli.compare.RunDir;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nrj compare} end to end on a tiny network, 2 epochs, 2 seeds, every arm, two runs at a
 * time: the table is checked against each run's own metrics.csv (parsed here independently), a
 * second comparison reuses every run, and a comparison stopped in a real process stops its
 * trainings and is resumed to the same numbers. The
 * runs walk the IR ({@code --interpreted}: the same bits as the generated trainer, see
 * TrainCommandTest) so that eight child processes do not each compile a trainer.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CompareCommandTest {
  static final String SPEC =
      """
      network tiny {
        input 1x28x28
        classes 3
        conv 8 k5 stride 3 input
        maxpool 2
        conv 12 k3
        classifier
      }

      schedule quick_nr {
        epochs 5
        batch 16
        test_batch 25
        sgd lr 0.05 momentum 0.9 weight_decay 5e-4
        lr_steps 1 gamma 0.1
        rejuvenate {
          sparsity 0.05
          target 0.9
        }
      }

      schedule plain {
        epochs 2
      }

      train tiny with quick_nr
      """;

  static final String[] ARMS = {"nr", "baseline", "baseline-long", "equal-used"};
  static final String[] LABELS = {"NR", "baseline", "baseline (NR's epochs)", "baseline (NR's used params)"};
  static final int JOBS = 2;

  @TempDir static Path dir;
  static Path spec;
  static Path data;
  static Path out;

  @BeforeAll
  static void setUp() throws IOException {
    spec = dir.resolve("tiny_nr.nr");
    Files.writeString(spec, SPEC);
    data = TinyMnist.write(dir.resolve("data"), 96, 50);
    out = dir.resolve("cmp");
  }

  /** The comparison the tests make: two runs at a time, walking the IR; all arms with two seeds. */
  static String[] args(Path where, int seeds) {
    List<String> a = new ArrayList<>(List.of(
        "compare", spec.toString(), "--data", data.toString(), "--seeds", Integer.toString(seeds), "--epochs", "2",
        "--jobs", Integer.toString(JOBS), "--device", "cpu", "--out", where.toString(), "--interpreted"));
    if (seeds > 1) a.addAll(List.of("--long-baseline", "--equal-used"));
    return a.toArray(String[]::new);
  }

  static TrainCommandTest.Run compare() {
    return nrj(args(out, 2));
  }

  /** A run's metrics.csv: header and rows of cells. */
  record Csv(List<String> header, List<String[]> rows) {
    static Csv read(Path file) throws IOException {
      List<String> lines = Files.readAllLines(file);
      List<String[]> rows = new ArrayList<>();
      for (String l : lines.subList(1, lines.size())) rows.add(l.split(",", -1));
      return new Csv(List.of(lines.getFirst().split(",")), rows);
    }

    double[] column(String name) {
      int i = header.indexOf(name);
      return rows.stream().mapToDouble(r -> r[i].isEmpty() ? Double.NaN : Double.parseDouble(r[i])).toArray();
    }

    String last(String name) {
      return rows.getLast()[header.indexOf(name)];
    }
  }

  /** Mean ± sample standard deviation of two values, as the table writes them. */
  static String meanStd(double[] v) {
    double mean = (v[0] + v[1]) / 2;
    double std = Math.sqrt((v[0] - mean) * (v[0] - mean) + (v[1] - mean) * (v[1] - mean)); // n - 1 = 1
    return String.format(Locale.ROOT, "%.2f ± %.2f", mean, std);
  }

  static String pct(double f) {
    return String.format(Locale.ROOT, "%.2f", 100 * f);
  }

  /** The row of the Runs table for arm label {@code label}, seed {@code seed}, split into cells. */
  static List<String> runRow(String md, String label, int seed) {
    String runs = md.substring(md.indexOf("## Runs"));
    for (String line : runs.lines().toList()) {
      List<String> cells = cells(line);
      if (cells.size() > 2 && cells.get(0).equals(label) && cells.get(1).equals(Integer.toString(seed))) return cells;
    }
    throw new AssertionError("no row for " + label + " seed " + seed + " in\n" + md);
  }

  static List<String> summaryRow(String md, String label) {
    String summary = md.substring(md.indexOf("## Summary"), md.indexOf("## NR against"));
    for (String line : summary.lines().toList()) {
      List<String> cells = cells(line);
      if (!cells.isEmpty() && cells.get(0).equals(label)) return cells;
    }
    throw new AssertionError("no summary row for " + label + " in\n" + md);
  }

  static List<String> cells(String line) {
    if (!line.startsWith("|")) return List.of();
    return Arrays.stream(line.substring(1, line.length() - 1).split("\\|")).map(String::strip).toList();
  }

  @Test
  @Order(1)
  void tableMatchesEveryRunsOwnMetrics() throws IOException {
    TrainCommandTest.Run r = compare();
    assertEquals(0, r.code(), r.err() + r.out());
    String md = Files.readString(out.resolve("compare.md"));
    assertTrue(md.contains("\n- command: `nrj " + String.join(" ", args(out, 2)) + "`\n"), md);
    for (int a = 0; a < ARMS.length; a++) {
      double[] finals = new double[2];
      for (int seed = 1; seed <= 2; seed++) {
        Csv m = Csv.read(out.resolve(ARMS[a] + "-seed" + seed).resolve("metrics.csv"));
        double[] top1 = m.column("test_top1");
        List<String> row = runRow(md, LABELS[a], seed);
        finals[seed - 1] = 100 * top1[top1.length - 1];
        assertEquals(pct(top1[top1.length - 1]), row.get(3), "final top-1 of " + ARMS[a] + " seed " + seed);
        assertEquals(pct(Arrays.stream(top1).max().orElseThrow()), row.get(4), "best top-1");
        assertTrue(row.get(2).startsWith(Integer.toString(top1.length)), row.get(2));
        String params = String.format(Locale.ROOT, "%,d", Long.parseLong(m.last("params")));
        assertEquals(params, row.get(7), "params after of " + ARMS[a] + " seed " + seed);
        if (ARMS[a].equals("nr")) {
          long sparse = m.rows().stream().filter(c -> c[1].equals("sparse")).count();
          assertTrue(sparse >= 1, "the tiny schedule rejuvenates");
          assertEquals(top1.length + " (" + sparse + " sparse)", row.get(2));
          double u = m.column("utilization")[(int) sparse - 1];
          assertEquals(String.format(Locale.ROOT, "%.4f (after epoch %d)", u, sparse), row.get(9));
          assertEquals(pct(m.column("test_top1_survivor")[top1.length - 1]) + " / " + pct(m.column("test_top1_new")[top1.length - 1]), row.get(5));
          // the baseline as long as this NR run
          Csv longer = Csv.read(out.resolve("baseline-long-seed" + seed).resolve("metrics.csv"));
          assertEquals(top1.length, longer.rows().size());
          // the equal-used baseline has at most the NR network's used parameters
          long used = Long.parseLong(row.get(8).replace(",", ""));
          List<String> eq = runRow(md, LABELS[3], seed);
          long eqParams = Long.parseLong(eq.get(6).replace(",", ""));
          assertTrue(eqParams <= used && eqParams > used / 2, eqParams + " vs NR's used " + used);
        } else {
          assertEquals("–", row.get(5));
          assertEquals(row.get(7), row.get(8), "a baseline uses all its parameters");
          assertTrue(m.rows().stream().allMatch(c -> c[1].equals("plain")), "a baseline never goes sparse");
        }
      }
      assertEquals(meanStd(finals), summaryRow(md, LABELS[a]).get(2), ARMS[a]);
      if (ARMS[a].equals("nr")) {
        double[] survivor = new double[2];
        double[] fresh = new double[2];
        for (int seed = 1; seed <= 2; seed++) {
          Csv m = Csv.read(out.resolve("nr-seed" + seed).resolve("metrics.csv"));
          survivor[seed - 1] = 100 * m.column("test_top1_survivor")[m.rows().size() - 1];
          fresh[seed - 1] = 100 * m.column("test_top1_new")[m.rows().size() - 1];
        }
        assertEquals(meanStd(survivor) + " / " + meanStd(fresh), summaryRow(md, LABELS[a]).get(4));
      } else {
        assertEquals("–", summaryRow(md, LABELS[a]).get(4));
      }
    }
    assertFalse(Files.readString(out.resolve("baseline-seed1").resolve("spec.nr")).contains("rejuvenate"));
    assertTrue(Files.readString(out.resolve("equal-used-seed1").resolve("spec.nr")).contains("network tiny_equal_used"));
    BufferedImage png = ImageIO.read(out.resolve("compare.png").toFile());
    assertEquals(960, png.getWidth());
    assertEquals(560, png.getHeight());
  }

  @Test
  @Order(2)
  void aSecondComparisonReusesEveryRun() throws IOException {
    Path metrics = out.resolve("baseline-seed2").resolve("metrics.csv");
    String before = Files.readString(metrics);
    TrainCommandTest.Run again = compare();
    assertEquals(0, again.code(), again.err() + again.out());
    assertEquals(8, again.out().lines().filter(l -> l.endsWith("finished earlier, reused")).count(), again.out());
    assertEquals(before, Files.readString(metrics), "a reused run is not touched");
  }

  /**
   * Stopping {@code nrj compare} (SIGTERM, as Ctrl-C does) stops the trainings it started instead of
   * leaving them running; the next comparison resumes the interrupted run from its checkpoint, to the
   * same numbers as the uninterrupted run of the first test. The checkpoint writer's test hook slows
   * every write down, so the comparison is stopped while a later epoch's write is pending.
   */
  @Test
  @Order(3)
  void aStoppedComparisonStopsItsTrainingsAndResumesThemToTheSameNumbers() throws Exception {
    Path where = dir.resolve("stopped");
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
        "--add-modules", "jdk.incubator.vector", "-Dnrj.test.checkpointWriteDelayMillis=3000",
        "-cp", System.getProperty("java.class.path"), "io.nrj.cli.Main"));
    cmd.addAll(List.of(args(where, 1)));
    Process compare = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("stopped.log").toFile()).start();
    Path nr = where.resolve("nr-seed1");
    try {
      long deadline = System.nanoTime() + 180_000_000_000L;
      while (!Files.exists(nr.resolve("checkpoint.safetensors")) && System.nanoTime() < deadline && compare.isAlive()) {
        Thread.sleep(50);
      }
      assertTrue(Files.exists(nr.resolve("checkpoint.safetensors")), "no epoch finished: " + Files.readString(dir.resolve("stopped.log")));
      List<ProcessHandle> trainings = compare.descendants().toList();
      assertFalse(trainings.isEmpty(), "no training process");
      compare.destroy();
      assertTrue(compare.waitFor(60, TimeUnit.SECONDS));
      for (ProcessHandle h : trainings) {
        try {
          h.onExit().get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          // reported below
        }
        assertFalse(h.isAlive(), "training " + h.pid() + " outlived nrj compare");
      }
    } finally {
      compare.descendants().forEach(ProcessHandle::destroyForcibly);
      compare.destroyForcibly();
    }
    assertEquals(RunDir.State.RESUME, new RunDir(nr, Arm.NR, 1).state(Files.readString(nr.resolve("spec.nr"))));
    assertTrue(
        Csv.read(nr.resolve("metrics.csv")).rows().size() < Csv.read(out.resolve("nr-seed1").resolve("metrics.csv")).rows().size(),
        "the run was stopped before its end");

    TrainCommandTest.Run resumed = nrj(args(where, 1));
    assertEquals(0, resumed.code(), resumed.err() + resumed.out());
    assertTrue(resumed.out().contains("nr-seed1: resuming from its checkpoint"), resumed.out());
    assertEquals(withoutTimes(out.resolve("nr-seed1").resolve("metrics.csv")), withoutTimes(nr.resolve("metrics.csv")),
        "resumed to the numbers of the uninterrupted run");
  }

  /** metrics.csv without the seconds and img/s columns, which differ run to run. */
  static List<List<String>> withoutTimes(Path metrics) throws IOException {
    Csv m = Csv.read(metrics);
    int seconds = m.header().indexOf("seconds");
    int speed = m.header().indexOf("train_img_per_s");
    List<List<String>> rows = new ArrayList<>();
    for (String[] r : m.rows()) {
      List<String> cells = new ArrayList<>(Arrays.asList(r));
      cells.remove(speed);
      cells.remove(seconds);
      rows.add(cells);
    }
    return rows;
  }

  @Test
  void aRunDirectoryOfAnotherSpecIsNotOverwritten() throws IOException {
    Path other = dir.resolve("other");
    Files.createDirectories(other.resolve("nr-seed1"));
    Files.writeString(other.resolve("nr-seed1").resolve("spec.nr"), "network x {}\n");
    TrainCommandTest.Run r =
        nrj("compare", spec.toString(), "--data", data.toString(), "--seeds", "1", "--out", other.toString(), "--device", "cpu");
    assertEquals(1, r.code(), r.out());
    assertEquals(
        "nrj compare: " + other.resolve("nr-seed1") + " holds a run of a different spec (its spec.nr differs from this"
            + " comparison's); use another --out or remove that directory\n",
        r.err());
    assertEquals("network x {}\n", Files.readString(other.resolve("nr-seed1").resolve("spec.nr")));
    assertFalse(Files.exists(other.resolve("baseline-seed1")), "nothing trained");
  }

  /** Failed trainings do not stop the others; then the comparison fails, naming each run's log. */
  @Test
  void failedRunsAreNamedWithTheirLogs() {
    Path where = dir.resolve("failing");
    Path missing = dir.resolve("no-such-data");
    TrainCommandTest.Run r =
        nrj("compare", spec.toString(), "--data", missing.toString(), "--seeds", "1", "--device", "cpu", "--interpreted",
            "--out", where.toString());
    assertEquals(1, r.code(), r.out());
    String why = "nrj train failed (exit 1): nrj train: " + missing + ": no such file or directory";
    assertTrue(r.err().startsWith("nrj compare: 2 runs failed:\n  baseline-seed1: " + why), r.err());
    assertTrue(r.err().contains("\n  nr-seed1: " + why), r.err());
    assertTrue(r.err().contains("(see " + where.resolve("nr-seed1").resolve("train.log") + ")"), r.err());
    assertFalse(Files.exists(where.resolve("compare.md")), "no report of failed runs");
  }

  @Test
  void aScheduleWithoutRejuvenationIsAUserError() {
    TrainCommandTest.Run r = nrj("compare", spec.toString(), "--schedule", "plain", "--data", data.toString());
    assertEquals(1, r.code());
    assertEquals(
        "nrj compare: " + spec + ": schedule 'plain' has no rejuvenate block; nrj compare compares an NR schedule with"
            + " its baseline\n",
        r.err());
  }

  @Test
  void badCountsAreUsageErrors() {
    TrainCommandTest.Run r = nrj("compare", spec.toString(), "--data", data.toString(), "--seeds", "0");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("nrj compare: --seeds must be a positive integer, got '0'\nusage: nrj compare [-hV] "), r.err());
    r = nrj("compare", spec.toString(), "--data", data.toString(), "--jobs", "0");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("nrj compare: --jobs must be a positive integer, got '0'\n"), r.err());
    r = nrj("compare", spec.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("nrj compare: 'nrj compare' needs --data\n"), r.err());
  }
}
