package io.nrj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nrj check}: every diagnostic with caret and remedy, exit codes 0 / 1 / 2 (DESIGN.md). */
class CheckCommandTest {
  @TempDir Path dir;

  private String write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p.toString();
  }

  @Test
  void acceptsEveryShippedSpecWithExitZero() throws IOException {
    try (var files = Files.list(CliRun.SPECS)) {
      String[] args = files.map(Path::toString).filter(s -> s.endsWith(".nr")).sorted().toArray(String[]::new);
      assertEquals(10, args.length);
      CliRun r = CliRun.of(prepend("check", args));
      assertEquals(0, r.code(), r.err());
      assertEquals("", r.err());
      assertTrue(r.out().contains("vgg19_nr.nr: ok (1 network, 1 schedule)"), r.out());
    }
  }

  @Test
  void printsEveryErrorWithCaretAndHelpAndExitsOne() throws IOException {
    String bad =
        write(
            "bad.nr",
            """
            network n {
              input 3x8x8
              classes 2
              residual { conv 8 k3 }
              classifier
            }
            schedule s { sgd lr 0 }
            """);
    CliRun r = CliRun.of("check", bad);
    assertEquals(1, r.code());
    assertEquals(
        bad + ":4:3: error: [NR-DSL-303] channel mismatch at residual sum 'features.0': the branch gives 8x8x8, the shortcut 3x8x8\n"
            + "  residual { conv 8 k3 }\n"
            + "  ^\n"
            + "help: add 'project' after 'residual' for a 1x1 projection shortcut, or give 'shortcut { ... }'\n"
            + bad + ":7:21: error: [NR-DSL-401] lr must be > 0, got 0\n"
            + "schedule s { sgd lr 0 }\n"
            + "                    ^\n"
            + bad + ": 2 errors\n",
        r.err());
  }

  @Test
  void checksAllFilesAndFailsIfAnyFails() throws IOException {
    String good = write("good.nr", "schedule s { epochs 3 }\n");
    String bad = write("bad.nr", "schedule s { epoch 3 }\n");
    CliRun r = CliRun.of("check", bad, good);
    assertEquals(1, r.code());
    assertTrue(r.out().contains("good.nr: ok (0 networks, 1 schedule)"), r.out());
    assertTrue(r.err().contains("bad.nr:1:14: error: [NR-DSL-102] unknown keyword 'epoch'"), r.err());
    assertTrue(r.err().contains("help: did you mean 'epochs'?"), r.err());
  }

  @Test
  void unreadableFileIsAUserErrorWithAMessage() {
    CliRun r = CliRun.of("check", dir.resolve("missing.nr").toString());
    assertEquals(1, r.code());
    assertEquals(dir.resolve("missing.nr") + ": error: [NR-DSL-001] cannot read file: no such file\n", r.err());
  }

  @Test
  void fileLevelErrorsHaveACodeAPositionWhereThereIsOneAndNoJavaNames() throws IOException {
    // was: "FILE: error: cannot read file: IOException: Is a directory", "... not UTF-8 text"
    CliRun r = CliRun.of("check", dir.toString());
    assertEquals(1, r.code());
    assertEquals(dir + ": error: [NR-DSL-002] cannot read file: it is a directory\nhelp: give a .nr file\n", r.err());
    Path latin1 = dir.resolve("latin1.nr");
    Files.write(latin1, "schedule s {\n  epochs 3 # \u00e0 peu pr\u00e8s\n}\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    r = CliRun.of("check", latin1.toString());
    assertEquals(1, r.code());
    assertEquals(latin1 + ":2:14: error: [NR-DSL-004] not UTF-8 text: byte 0xE0 cannot appear here\nhelp: save the file as UTF-8\n", r.err());
    r = CliRun.of("params", latin1.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith(latin1 + ":2:14: error: [NR-DSL-004] "), r.err());
    assertTrue(!r.err().contains("Exception"), r.err());
  }

  @Test
  void aFileOfManyErrorsStopsAfterAHundredAndSaysSo() throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 150; i++) b.append("network n").append(i).append(" { input 3x8x8 classes 2 foo() classifier }\n");
    String many = write("many.nr", b.toString());
    CliRun r = CliRun.of("check", many);
    assertEquals(1, r.code());
    assertEquals(100, r.err().lines().filter(l -> l.contains(": error: [NR-DSL-202]")).count());
    assertTrue(r.err().endsWith(
        many + ":101:38: note: [NR-DSL-006] ... and 50 more errors\n"
            + "network n100 { input 3x8x8 classes 2 foo() classifier }\n"
            + " ".repeat(37) + "^\n"
            + "help: nrj shows the first 100 errors of a file; fix these first\n"
            + many + ": 150 errors\n"), r.err().substring(Math.max(0, r.err().length() - 600)));
  }

  @Test
  void noFilesOrUnknownOptionIsAUsageError() {
    CliRun none = CliRun.of("check");
    assertEquals(2, none.code());
    assertTrue(none.err().startsWith("nrj check: no files given\nusage: nrj check [-hV] FILE...\n"), none.err());
    CliRun option = CliRun.of("check", "--strict", "x.nr");
    assertEquals(2, option.code());
    assertTrue(option.err().startsWith("nrj check: unknown option '--strict'"), option.err());
  }

  private static String[] prepend(String first, String[] rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}
