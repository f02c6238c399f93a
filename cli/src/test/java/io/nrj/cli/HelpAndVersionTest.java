package io.nrj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Issue 12, "no --help on any command, no nrj help, no --version; usage text and behaviour differ":
 * every command answers --help and nrj help CMD, --version names the git commit, and the usage
 * lines come from the same definitions the parser uses (so bench no longer claims --network is
 * required, and eval's --data takes mnist). The README's commands table lists every option.
 */
class HelpAndVersionTest {
  static final List<String> COMMANDS =
      List.of("check", "params", "train", "compare", "eval", "bench", "grad", "export", "devices");

  @Test
  void everyCommandAnswersHelpAndNrjHelpSaysTheSame() {
    assertEquals(
        COMMANDS,
        Main.commandLine(System.out, System.err).getSubcommands().keySet().stream().filter(c -> !c.equals("help")).toList());
    for (String c : COMMANDS) {
      CliRun help = CliRun.of(c, "--help");
      assertEquals(0, help.code(), c + ": " + help.err());
      assertEquals("", help.err());
      assertTrue(help.out().startsWith("usage: nrj " + c + " [-hV]"), help.out());
      assertTrue(help.out().contains("\noptions:\n") && help.out().contains("Exit status: 0 done"), help.out());
      CliRun viaHelp = CliRun.of("help", c);
      assertEquals(0, viaHelp.code());
      assertEquals(help.out(), viaHelp.out());
    }
    CliRun top = CliRun.of("--help");
    assertEquals(0, top.code());
    for (String c : COMMANDS) assertTrue(top.out().contains("\n  " + c + " "), c + " missing from\n" + top.out());
  }

  @Test
  void versionNamesTheGitCommitTheBuildWasMadeFrom() throws Exception {
    CliRun r = CliRun.of("--version");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().matches("nrj \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(git [0-9a-f]{7,}( with uncommitted changes)?, [0-9T:\\-Z+]+\\)\\n"), r.out());
    Process git = new ProcessBuilder("git", "rev-parse", "--short=7", "HEAD").directory(Path.of("..").toFile()).start();
    String head = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    git.waitFor(30, TimeUnit.SECONDS);
    if (git.exitValue() == 0) assertTrue(r.out().contains("(git " + head), r.out() + " vs HEAD " + head);
    assertEquals(r.out(), CliRun.of("train", "--version").out(), "every command has --version");
  }

  @Test
  void usageLinesSayWhatTheParserAccepts() throws IOException {
    String bench = CliRun.of("bench", "--help").out();
    assertTrue(bench.startsWith("usage: nrj bench [-hV] [--network=N] "), bench);
    String eval = CliRun.of("eval", "--help").out();
    assertTrue(eval.startsWith("usage: nrj eval [-hV] --checkpoint=CKPT --data=PATH|mnist "), eval);
    String grad = CliRun.of("grad", "--help").out();
    assertTrue(grad.startsWith("usage: nrj grad [-hV] [--network=N] --weights=W.safetensors"), grad);
    // and the parser agrees: bench and grad find the only network of a file without --network
    CliRun run = CliRun.of("bench", CliRun.spec("lenet5.nr"), "--device", "cpu", "--batch", "2", "--steps", "1", "--warmup", "0", "--json");
    assertEquals(0, run.code(), run.err());
    assertTrue(run.out().startsWith("{\"network\":\"lenet5\""), run.out());
  }

  @Test
  void unknownOptionsAndCommandsGetASuggestion() {
    CliRun option = CliRun.of("params", CliRun.spec("lenet5.nr"), "--layer");
    assertEquals(2, option.code());
    assertTrue(option.err().startsWith("nrj params: unknown option '--layer' for 'nrj params'; did you mean '--layers'?\n"), option.err());
    CliRun command = CliRun.of("trian");
    assertEquals(2, command.code());
    assertEquals("nrj: unknown command 'trian'; did you mean 'train'?\nusage: nrj [-hV] [COMMAND]\n'nrj --help' lists the commands\n", command.err());
  }

  @Test
  void theReadmeCommandsTableListsEveryOptionOfEveryCommand() throws IOException {
    List<String> readme = Files.readAllLines(Path.of("..", "README.md"));
    CommandLine nrj = Main.commandLine(System.out, System.err);
    for (String c : COMMANDS) {
      String row = readme.stream().filter(l -> l.startsWith("| `nrj " + c + " ")).findFirst()
          .orElseThrow(() -> new AssertionError("README.md has no row for nrj " + c));
      for (OptionSpec o : nrj.getSubcommands().get(c).getCommandSpec().options()) {
        if (o.usageHelp() || o.versionHelp()) continue;
        assertTrue(row.contains(o.longestName()), "README row of nrj " + c + " lacks " + o.longestName() + ":\n" + row);
      }
    }
  }
}
