package io.nrj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hostile-checkpoint corpus ({@link HostileCheckpoints}) through the real commands: every case
 * makes {@code nrj eval}, {@code nrj train --resume} and {@code nrj export} exit 1 with one line
 * naming the file and the rule, before any training or output; the format cases do the same to
 * {@code nrj grad}, which reads its weights through the same safetensors reader.
 */
class HostileCheckpointTest {
  /** The CLI tests' tiny spec with a third conv: network 'tiny3', schedule 'quick' (2 epochs). */
  static final String SPEC =
      TrainCommandTest.SPEC
          .replace("  maxpool 2\n  conv 6 k3\n", "  conv 6 k3\n  maxpool 2\n  conv 8 k3\n")
          .replace("tiny", "tiny3");

  @TempDir static Path dir;
  static Path spec;
  static Path data;
  static Path base;
  static HostileCheckpoints.Raw raw;

  @BeforeAll
  static void trainTheBaseCheckpoint() throws IOException {
    spec = dir.resolve("tiny3.nr");
    Files.writeString(spec, SPEC);
    data = TinyMnist.write(dir.resolve("data"), 64, 25);
    CliRun r = CliRun.of("train", spec.toString(), "--data", data.toString(), "--device", "cpu", "--interpreted", "--out",
        dir.resolve("base").toString());
    assertEquals(0, r.code(), r.err());
    base = dir.resolve("base/checkpoint.safetensors");
    raw = HostileCheckpoints.Raw.of(base);
    // The base itself passes every command.
    assertEquals(0, CliRun.of("eval", "--checkpoint", base.toString(), "--data", data.toString(), "--device", "cpu").code());
    assertEquals(0, CliRun.of("export", base.toString(), "--out", dir.resolve("base.nr").toString()).code());
  }

  static Stream<Arguments> cases() {
    return HostileCheckpoints.all().stream().flatMap(c -> commands(c).stream().map(cmd -> Arguments.of(c, cmd)));
  }

  private static List<String> commands(HostileCheckpoints.Case c) {
    if (c.readers() == HostileCheckpoints.Readers.NR_SOURCE) return List.of("eval", "export");
    return c.format() ? List.of("eval", "train", "export", "grad") : List.of("eval", "train", "export");
  }

  @ParameterizedTest(name = "{0} / nrj {1}")
  @MethodSource("cases")
  void eachHostileCheckpointIsRefusedWithItsNamedRule(HostileCheckpoints.Case c, String command) throws IOException {
    Path file = dir.resolve(c.name().replace(' ', '_') + ".safetensors");
    if (!Files.exists(file)) c.writer().write(base, file);
    Path out = dir.resolve("out-" + command + "-" + file.getFileName());
    CliRun r =
        switch (command) {
          case "eval" -> CliRun.of("eval", "--checkpoint", file.toString(), "--data", data.toString(), "--device", "cpu");
          case "train" -> CliRun.of("train", spec.toString(), "--data", data.toString(), "--device", "cpu", "--interpreted",
              "--resume", file.toString(), "--out", out.toString());
          case "export" -> CliRun.of("export", file.toString(), "--out", out + ".nr");
          default -> CliRun.of("grad", spec.toString(), "--weights", file.toString(), "--input", file.toString(), "--out", out.toString());
        };
    String problem = (c.format() && !command.equals("grad") ? HostileCheckpoints.CORRUPT : "") + c.problem();
    String header = headerOf(file);
    assertEquals("nrj " + command + ": " + file + ": " + raw.expand(problem, header) + "\n", r.err());
    assertEquals(1, r.code());
    assertEquals("", r.out());
    assertFalse(Files.exists(out), "no output for a refused checkpoint");
    assertFalse(Files.exists(Path.of(out + ".nr")), "no export for a refused checkpoint");
  }

  @Test
  void evalRefusesToReportAnAccuracyForNonFiniteOutputs() throws IOException {
    // Finite weights (they pass every rule) whose logits overflow to infinity: the loss is NaN, and
    // an accuracy computed from NaN logits would be an invention (issue 16: "top1 100.00%").
    Path file = dir.resolve("overflowing.safetensors");
    HostileCheckpoints.overflowingClassifier(base, file);
    CliRun r = CliRun.of("eval", "--checkpoint", file.toString(), "--data", data.toString(), "--device", "cpu");
    assertEquals(1, r.code());
    assertEquals("", r.out());
    assertEquals("nrj eval: " + file + ": the network's outputs are not finite on the test images of " + data
        + " (loss NaN); no accuracy can be reported\n", r.err().replaceAll("test images of .*? \\(", "test images of " + data + " ("));
  }

  private static String headerOf(Path file) throws IOException {
    if (Files.size(file) > 1 << 20) return null;
    byte[] b = Files.readAllBytes(file);
    if (b.length < 8) return null;
    long len = java.nio.ByteBuffer.wrap(b, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    return len < 0 || len > b.length - 8 ? null : new String(b, 8, (int) len, StandardCharsets.ISO_8859_1);
  }
}
