package io.nrj.cli;

import io.nrj.dsl.CompileResult;
import io.nrj.dsl.Diagnostic;
import io.nrj.dsl.DiagnosticRenderer;
import io.nrj.dsl.Message;
import io.nrj.dsl.NrCompiler;
import io.nrj.dsl.SourceFiles;
import io.nrj.dsl.SourceLocation;
import java.io.PrintStream;
import java.nio.file.InvalidPathException;
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
        source = read(file);
      } catch (SourceFiles.UnreadableException e) {
        err.print(DiagnosticRenderer.render(e.diagnostic(), null)); // file: error: [NR-DSL-00x] ...
        status = 1;
        continue;
      }
      CompileResult result = NrCompiler.compile(file, source);
      for (Diagnostic d : result.diagnostics()) err.print(DiagnosticRenderer.render(d, source));
      if (result.ok()) {
        out.println(file + ": ok (" + plural(result.module().networks().size(), "network") + ", "
            + plural(result.module().schedules().size(), "schedule") + ")");
      } else {
        err.println(file + ": " + plural(result.errorCount(), "error"));
        status = 1;
      }
    }
    return status;
  }

  /** A source file's text, or a file-level diagnostic naming it as given (also for a path no file system accepts). */
  static String read(String file) throws SourceFiles.UnreadableException {
    Path path;
    try {
      path = Path.of(file);
    } catch (InvalidPathException e) {
      path = null;
    }
    if (path == null) {
      throw new SourceFiles.UnreadableException(Message.NO_SUCH_FILE.at(SourceLocation.wholeFile(file)));
    }
    return SourceFiles.read(path);
  }

  static String plural(int n, String word) {
    return n + " " + word + (n == 1 ? "" : "s");
  }
}
