package io.nrj.tests.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nrj.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CIFAR-10 Neural Rejuvenation experiment of {@code docs/experiments.md}, shortened: the small
 * VGG of {@code experiments/cifar_small_vgg.nr} trained with its NR schedule through {@code nrj
 * train} in-process, on the 10,000/2,000-image subset in {@code ../shared/data/cifar10-10k}.
 *
 * <p>Opt-in, so that CI stays fast: it runs only when that directory exists and the system
 * property {@code nrj.experiments=true} is set. It then takes a few minutes on two CPU cores: the
 * sparse epochs until u reaches the target (three with seed 1), then two mixed epochs (39 %
 * test top-1 with seed 1). Run it with {@code ./build.sh -pl tests -am verify
 * -Dtest=CifarNrExperimentTest -Dsurefire.failIfNoSpecifiedTests=false -Dnrj.experiments=true}.
 */
class CifarNrExperimentTest {
  /** Ten balanced classes: chance is 10 %; the short run must clear it by a wide margin. */
  private static final double MIN_TEST_TOP1 = 0.25;

  private static final double TARGET = 0.5;

  @TempDir Path out;

  @Test
  void nrScheduleReachesTargetRejuvenatesAndBeatsChance() throws IOException, URISyntaxException {
    assumeTrue(Boolean.getBoolean("nrj.experiments"), "set -Dnrj.experiments=true to run the CIFAR experiment");
    Path data = dataDir();
    assumeTrue(Files.isDirectory(data), data + " is absent");
    Path spec = Path.of(CifarNrExperimentTest.class.getResource("/experiments/cifar_small_vgg.nr").toURI());

    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    int code =
        Main.run(
            new String[] {
              "train", spec.toString(), "--schedule", "cifar_nr", "--data", data.toString(), "--device", "cpu",
              "--epochs", "2", "--seed", "1", "--out", out.toString()
            },
            new PrintStream(stdout, true, StandardCharsets.UTF_8),
            new PrintStream(stderr, true, StandardCharsets.UTF_8));
    String log = stdout.toString(StandardCharsets.UTF_8) + stderr.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, log);

    // The trigger: rejuvenation.json records u <= target and an expand rate sqrt(1/u) > 1.
    String report = Files.readString(out.resolve("rejuvenation.json"));
    double u = number(report, "utilization");
    assertTrue(u <= TARGET, "utilization at the trigger " + u + " > target " + TARGET);
    assertEquals(Math.sqrt(1 / u), number(report, "expand_rate"), 1e-9, report);
    assertTrue(Files.isRegularFile(out.resolve("network.nr")), "no network.nr written");

    // metrics.csv: sparse epochs, then (after the shift) exactly the two mixed epochs asked for.
    List<Map<String, String>> rows = csv(out.resolve("metrics.csv"));
    List<String> phases = rows.stream().map(r -> r.get("phase")).toList();
    int sparse = phases.indexOf("mixed");
    assertTrue(sparse >= 1, "no sparse epoch before the mixed one: " + phases);
    assertEquals(sparse + 2, rows.size(), "expected sparse epochs then two mixed epochs: " + phases);
    assertTrue(phases.subList(0, sparse).stream().allMatch("sparse"::equals), phases.toString());
    double uLastSparse = Double.parseDouble(rows.get(sparse - 1).get("utilization"));
    assertEquals(u, uLastSparse, 1e-6, "the trigger fired on the last sparse epoch's utilization");

    Map<String, String> last = rows.getLast();
    assertEquals(0.0, Double.parseDouble(last.get("lambda")), "lambda must be 0 after rejuvenation");
    double top1 = Double.parseDouble(last.get("test_top1"));
    assertTrue(top1 >= MIN_TEST_TOP1, "test top-1 " + top1 + " after the mixed epochs is too close to chance\n" + log);
    // Both halves of the mixed network produce logits of their own.
    assertTrue(!last.get("test_top1_survivor").isEmpty() && !last.get("test_top1_new").isEmpty(), last.toString());
  }

  private static Path dataDir() {
    String root = System.getProperty("nrj.repo.root", ".");
    return Path.of(root).resolve("../shared/data/cifar10-10k").normalize();
  }

  private static double number(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\"\\s*:\\s*([-0-9.eE+]+)").matcher(json);
    assertTrue(m.find(), "no " + key + " in " + json);
    return Double.parseDouble(m.group(1));
  }

  private static List<Map<String, String>> csv(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    String[] header = lines.getFirst().split(",", -1);
    List<Map<String, String>> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",", -1);
      assertEquals(header.length, cells.length, "ragged metrics.csv row: " + line + " vs " + Arrays.toString(header));
      Map<String, String> row = new HashMap<>();
      for (int i = 0; i < header.length; i++) row.put(header[i], cells[i]);
      rows.add(row);
    }
    return rows;
  }
}
