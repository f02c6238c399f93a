package io.nrj.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 14 and 16: inputs that used to end in an internal error, the wrong place, or a minute of work. */
class HardeningTest {
  @TempDir Path dir;

  /** Compiles on a thread with the JVM's usual 1 MiB stack (the tests run with -Xss8m). */
  static CompileResult compileOnSmallStack(String source) throws InterruptedException {
    AtomicReference<CompileResult> result = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t = new Thread(null, () -> {
      try {
        result.set(NrCompiler.compile("deep.nr", source));
      } catch (Throwable e) {
        failure.set(e);
      }
    }, "small-stack", 1 << 20);
    t.start();
    t.join();
    if (failure.get() != null) throw new AssertionError(failure.get());
    return result.get();
  }

  @Test
  void tenThousandParenthesesGiveAPositionedLimitNotAnInternalError() throws InterruptedException {
    String source = "network n {\n  input 3x8x8\n  classes 2\n  conv " + "(".repeat(10_000) + "4" + ")".repeat(10_000)
        + " k3\n  classifier\n}\n";
    CompileResult r = compileOnSmallStack(source);
    // was: deep.nr:1:1: error: [NR-DSL-901] internal error: java.lang.StackOverflowError
    assertEquals(
        List.of("deep.nr:4:71: error: [NR-DSL-108] nesting deeper than 64 levels (parentheses, braces and signs)"),
        r.diagnostics().stream().map(Diagnostic::format).toList());
    // The caret sits under the first parenthesis past the limit: the 64th, inside the network's brace.
    String rendered = DiagnosticRenderer.render(r.diagnostics().getFirst(), source);
    assertEquals(" ".repeat(70) + "^", rendered.lines().toList().get(2));
  }

  @Test
  void everyKindOfNestingUpToTheLimitCompilesOnASmallStack() throws InterruptedException {
    // 63 levels (the network's brace is the 64th) of each kind that recurses: parentheses, signs,
    // braces; and the longest expression allowed.
    String parens = "(".repeat(63) + "4" + ")".repeat(63);
    String signs = "-".repeat(61) + "(-4)"; // 61 signs, a parenthesis and a sign
    String braces = "residual { ".repeat(63) + "conv 4 k3" + " }".repeat(63);
    String sum = "1" + " + 0".repeat(255);
    for (String layer : List.of("conv " + parens + " k3", "conv " + signs + " k3", braces, "conv " + sum + " k3")) {
      CompileResult r = compileOnSmallStack("network n {\n  input 4x8x8\n  classes 2\n  " + layer + "\n  classifier\n}\n");
      assertTrue(r.diagnostics().stream().noneMatch(d -> d.code().equals("NR-DSL-901") || d.code().startsWith("NR-DSL-10")),
          () -> layer.substring(0, 40) + ": " + r.diagnostics());
    }
  }

  @Test
  void aHundredThousandBrokenDefinitionsStopAfterAHundredErrors() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 100_000; i++) b.append("network n").append(i).append(" { conv }\n");
    long t0 = System.nanoTime();
    CompileResult r = NrCompiler.compile("many.nr", b.toString());
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(101, r.diagnostics().size()); // was: 100,000 diagnostics
    assertEquals(100, r.errorCount());
    assertEquals("many.nr:101:1: note: [NR-DSL-007] stopped after 100 errors; the rest of the file was not checked",
        r.diagnostics().getLast().format());
    assertTrue(seconds < 10, "took " + seconds + " s"); // a few hundred ms on an idle machine
  }

  @Test
  void semanticErrorsBeyondTheCapAreCountedInOneNote() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 130; i++) b.append("network n").append(i).append(" { input 3x8x8 classes 2 foo() classifier }\n");
    CompileResult r = NrCompiler.compile("sem.nr", b.toString());
    assertEquals(101, r.diagnostics().size());
    assertEquals(130, r.errorCount());
    assertEquals("sem.nr:101:38: note: [NR-DSL-006] ... and 30 more errors", r.diagnostics().getLast().format());
    assertEquals("nrj shows the first 100 errors of a file; fix these first", r.diagnostics().getLast().help());
  }

  @Test
  void aFirstConvWrittenWithoutInputIsInferredAsTheInputLayer() {
    String with = "network n {\n  input 3x8x8\n  classes 2\n  conv 4 k3 input\n  conv 6 k3\n  conv 8 k1 from image\n  concat features.1, features.2\n  classifier\n}\n";
    String without = with.replace(" input\n", "\n");
    NetworkIr a = Specs.compileOk("with.nr", with).networks().getFirst();
    NetworkIr b = Specs.compileOk("without.nr", without).networks().getFirst();
    List<Boolean> roles = b.convs().stream().map(IrNode.Conv::isInput).toList();
    assertEquals(List.of(true, false, true), roles); // was: [false, false, false]
    assertEquals(a.convs().stream().map(IrNode.Conv::isInput).toList(), roles);
    assertEquals(NrPrinter.print(a, a.widths(), "n"), NrPrinter.print(b, b.widths(), "n"));
  }

  @Test
  void unreadableFilesGetCodedFileLevelDiagnosticsWithoutJavaNames() throws Exception {
    assertEquals(List.of(dir + ": error: [NR-DSL-002] cannot read file: it is a directory"), formatted(NrCompiler.compile(dir)));
    Path missing = dir.resolve("missing.nr");
    assertEquals(List.of(missing + ": error: [NR-DSL-001] cannot read file: no such file"), formatted(NrCompiler.compile(missing)));
    Path latin1 = dir.resolve("latin1.nr");
    Files.write(latin1, "network n {\n  # caf\u00e9 \u00e9t\u00e9\n}\n".getBytes(StandardCharsets.ISO_8859_1));
    assertEquals(List.of(latin1 + ":2:8: error: [NR-DSL-004] not UTF-8 text: byte 0xE9 cannot appear here"),
        formatted(NrCompiler.compile(latin1)));
    Path utf8 = dir.resolve("utf8.nr"); // accents and an emoji are fine: columns count characters
    Files.writeString(utf8, "# caf\u00e9 \u00e9t\u00e9 \uD83D\uDE00\n\u00e9t\u00e9 {}\n");
    assertEquals(List.of(utf8 + ":2:1: error: [NR-DSL-105] unexpected character '\u00e9'"), formatted(NrCompiler.compile(utf8)));
  }

  private static List<String> formatted(CompileResult r) {
    return r.diagnostics().stream().map(Diagnostic::format).toList();
  }
}
