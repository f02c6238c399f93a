package io.nrj.tests.cli;

import static io.nrj.tests.cli.Processes.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nrj.runtime.cuda.CudaProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./nrj} script as a user runs it (issue 12): the order of stderr and stdout in a log,
 * no incubator warning, output files of mode 0644 under umask 022, exit codes, and progress within
 * an epoch both as plain log lines and as a live line on a terminal (a pseudo-terminal from
 * script(1)).
 */
class NrjProcessTest {
  @TempDir static Path dir;
  static Path spec;
  static Path data;

  @BeforeAll
  static void setUp() throws IOException {
    assumeTrue(Files.isRegularFile(Processes.ROOT.resolve("cli/target/nrj-cli.jar")), "the CLI jar is built by the cli module");
    spec = dir.resolve("tiny.nr");
    Files.writeString(spec, Processes.SPEC);
    data = Processes.mnist(dir.resolve("data"), 96, 50);
  }

  @Test
  void aLogKeepsTheOrderOfStderrAndStdoutHasNoIncubatorWarningAndFilesAre0644() throws Exception {
    Path out = dir.resolve("logged");
    Path log = dir.resolve("log.txt");
    Processes.Result r = Processes.bash("umask 022; ./nrj train " + q(spec) + " --data " + q(data) + " --device auto --out " + q(out)
        + " --progress-every 0.000001 > " + q(log) + " 2>&1");
    List<String> lines = Files.readAllLines(log);
    assertEquals(0, r.code(), String.join("\n", lines));
    assertTrue(lines.stream().noneMatch(l -> l.contains("WARNING")), String.join("\n", lines));
    if (!CudaProbe.probe().usable()) {
      // the CPU-fallback note is printed first; through the old grep pipe it came after the last line
      assertTrue(lines.getFirst().startsWith("nrj: CUDA unavailable ("), String.join("\n", lines));
      assertTrue(lines.get(1).startsWith("nrj train: tiny ("), String.join("\n", lines));
    }
    assertTrue(lines.getLast().startsWith("trained 2 epochs in "), String.join("\n", lines));
    // plain progress lines within each epoch, before its summary line
    Pattern progress = Pattern.compile("epoch 1/2  [1-5]/6  \\d+ img/s  loss \\d+\\.\\d{4}  top1 \\d+\\.\\d\\d%  plain  eta \\d+:\\d\\d, run \\d+:\\d\\d");
    int firstProgress = -1;
    for (int i = 0; i < lines.size() && firstProgress < 0; i++) if (progress.matcher(lines.get(i)).matches()) firstProgress = i;
    int summary = -1;
    for (int i = 0; i < lines.size() && summary < 0; i++) if (lines.get(i).startsWith("epoch 1/2  lr ")) summary = i;
    assertTrue(firstProgress >= 0 && firstProgress < summary, String.join("\n", lines));
    try (Stream<Path> files = Files.list(out)) {
      for (Path f : files.toList()) {
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
      }
    }
    assertTrue(Files.isRegularFile(out.resolve("metrics.png")) && Files.isRegularFile(out.resolve("checkpoint.safetensors")));
  }

  @Test
  void onATerminalTheProgressLineIsRedrawnInPlace() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "script(1) gives the run a pseudo-terminal");
    Path out = dir.resolve("terminal");
    Processes.Result r = Processes.bash("script -qec " + q("./nrj train " + q(spec) + " --data " + q(data) + " --device cpu --out " + q(out))
        + " /dev/null");
    assertEquals(0, r.code(), r.out() + r.err());
    String screen = r.out();
    Pattern live = Pattern.compile("\repoch 2/2  6/6  \\d+ img/s  loss \\d+\\.\\d{4}  top1 \\d+\\.\\d\\d%  plain  eta 0:00, run 0:00\u001b\\[K");
    assertTrue(live.matcher(screen).find(), screen);
    assertTrue(screen.contains("\r\u001b[Kepoch 2/2  lr "), "the live line is cleared before the summary: " + screen);
    assertFalse(Pattern.compile("\nepoch 2/2  [1-6]/6  ").matcher(screen).find(), "no plain lines on a terminal: " + screen);
  }

  @Test
  void exitCodesAndMessagesOfTheRealProcess() throws Exception {
    Processes.Result usage = Processes.bash("./nrj train " + q(spec));
    assertEquals(2, usage.code());
    assertTrue(usage.err().startsWith("nrj train: 'nrj train' needs --data\nusage: nrj train [-hV] "), usage.err());
    assertEquals("", usage.out());
    Processes.Result user = Processes.bash("./nrj train " + q(dir.resolve("missing.nr")) + " --data mnist");
    assertEquals(1, user.code());
    assertEquals("nrj train: " + dir.resolve("missing.nr") + ": no such file\n", user.err());
    Processes.Result help = Processes.bash("./nrj help train");
    assertEquals(0, help.code(), help.err());
    assertEquals("", help.err(), "no incubator warning");
    assertTrue(help.out().startsWith("usage: nrj train [-hV] [--network=N] [--schedule=S] --data=PATH|mnist"), help.out());
  }

  @Test
  void gpuFailureIsOneMessageWithAProblemPerLine() throws Exception {
    assumeFalse(CudaProbe.probe().usable(), "CUDA works here");
    Processes.Result r = Processes.bash("./nrj bench " + q(spec) + " --device cuda");
    assertEquals(1, r.code());
    List<String> lines = r.err().lines().toList();
    assertEquals("nrj bench: --device cuda: CUDA unavailable:", lines.getFirst(), r.err());
    assertTrue(lines.stream().skip(1).allMatch(l -> l.startsWith("  ")), r.err());
  }
}
