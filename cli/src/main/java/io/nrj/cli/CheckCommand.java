package io.nrj.cli;

import io.nrj.dsl.CompileResult;
import io.nrj.dsl.Diagnostic;
import io.nrj.dsl.DiagnosticRenderer;
import io.nrj.dsl.Message;
import io.nrj.dsl.NrCompiler;
import io.nrj.dsl.Plural;
import io.nrj.dsl.SourceFiles;
import io.nrj.dsl.SourceLocation;
import java.io.PrintStream;
import java.nio.file.InvalidPathException;
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
        source = read(file);
      } catch (SourceFiles.UnreadableException e) {
        err.print(DiagnosticRenderer.render(e.diagnostic(), null)); // file: error: [NR-DSL-00x] ...
        status = 1;
        continue;
      }
      CompileResult result = NrCompiler.compile(file, source);
      for (Diagnostic d : result.diagnostics()) err.print(DiagnosticRenderer.render(d, source));
      if (result.ok()) {
        out.println(file + ": ok (" + Plural.of(result.module().networks().size(), "network") + ", "
            + Plural.of(result.module().schedules().size(), "schedule") + ")");
      } else {
        err.println(file + ": " + Plural.of(result.errorCount(), "error"));
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
}
