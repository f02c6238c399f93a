package io.nrj.cli;

import io.nrj.dsl.CompileResult;
import io.nrj.dsl.Diagnostic;
import io.nrj.dsl.DiagnosticRenderer;
import io.nrj.dsl.NrCompiler;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code nrj check FILE...}: parses and validates each file and prints every diagnostic (to stderr,
 * with the source line, a caret and the remedy). Exit 0 when no file has an error, 1 when one has
 * (or cannot be read), 2 on a usage error. Files are all checked, even after a failing one.
 */
final class CheckCommand {
  private CheckCommand() {}

  static final String USAGE = "usage: nrj check FILE...\n";

  static int run(String[] args, PrintStream out, PrintStream err) {
    List<String> files = new ArrayList<>();
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        out.print(USAGE);
        return 0;
      }
      if (a.startsWith("-") && a.length() > 1) {
        err.println("nrj check: unknown option '" + a + "'");
        err.print(USAGE);
        return 2;
      }
      files.add(a);
    }
    if (files.isEmpty()) {
      err.println("nrj check: no files given");
      err.print(USAGE);
      return 2;
    }
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
        out.println(file + ": ok (" + plural(result.module().networks().size(), "network") + ", "
            + plural(result.module().schedules().size(), "schedule") + ")");
      } else {
        long errors = result.diagnostics().stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR).count();
        err.println(file + ": " + plural((int) errors, "error"));
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

  static String plural(int n, String word) {
    return n + " " + word + (n == 1 ? "" : "s");
  }
}
