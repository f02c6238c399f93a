package io.nrj.cli;

import io.nrj.dsl.CompileResult;
import io.nrj.dsl.Diagnostic;
import io.nrj.dsl.DiagnosticRenderer;
import io.nrj.dsl.NrCompiler;
import io.nrj.dsl.Plural;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code nrj check FILE...}: parses and validates each file and prints every diagnostic (to stderr,
 * with the source line, a caret and the remedy). Exit 0 when no file has an error, 1 when one has
 * (or cannot be read), 2 on a usage error. Files are all checked, even after a failing one.
 */
@Command(
    name = "check",
    description = {
      "Parse and validate .nr files.",
      "Every diagnostic is printed as file:line:col: error: [CODE] message, with a caret and a remedy."
    })
final class CheckCommand implements Callable<Integer> {
  @ParentCommand private Main nrj;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = ".nr files to check")
  private List<String> files;

  @Override
  public Integer call() {
    PrintStream out = nrj.out();
    PrintStream err = nrj.err();
    int status = 0;
    for (String file : files) {
      String source;
      try {
        source = Files.readString(Path.of(file));
      } catch (IOException | RuntimeException e) {
        err.println(file + ": error: cannot read file: " + describe(e));
        status = 1;
        continue;
      }
      CompileResult result = NrCompiler.compile(file, source);
      for (Diagnostic d : result.diagnostics()) err.print(DiagnosticRenderer.render(d, source));
      if (result.ok()) {
        out.println(file + ": ok (" + Plural.of(result.module().networks().size(), "network") + ", "
            + Plural.of(result.module().schedules().size(), "schedule") + ")");
      } else {
        long errors = result.diagnostics().stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR).count();
        err.println(file + ": " + Plural.of(errors, "error"));
        status = 1;
      }
    }
    return status;
  }

  /** The reason an I/O failure gives, without a stack trace. */
  static String describe(Exception e) {
    String name = e.getClass().getSimpleName();
    return switch (e) {
      case java.nio.file.NoSuchFileException x -> "no such file";
      case java.nio.file.AccessDeniedException x -> "permission denied";
      case java.nio.charset.MalformedInputException x -> "not UTF-8 text";
      default -> e.getMessage() == null ? name : name + ": " + e.getMessage();
    };
  }
}
