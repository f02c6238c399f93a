package io.nrj.dsl;

import io.nrj.dsl.ast.NrFile;
import io.nrj.dsl.ir.NrModule;
import io.nrj.dsl.parser.DslParser;
import io.nrj.dsl.resolve.Resolver;
import java.nio.file.Path;
import java.util.List;

/**
 * The front door of the DSL: {@code .nr} text to a resolved {@link io.nrj.dsl.ir.NrModule}, or the
 * full list of diagnostics. Never throws for bad input: syntax errors (the first of each
 * definition; names and shapes are checked only when there is none), semantic errors (all of them)
 * and, should one ever happen, an internal failure all come back as diagnostics.
 */
public final class NrCompiler {
  private NrCompiler() {}

  /** Compiles source text; {@code fileName} is used in diagnostics as given. */
  public static CompileResult compile(String fileName, String source) {
    Diagnostics diagnostics = new Diagnostics();
    NrModule module = null;
    try {
      NrFile ast = DslParser.parseNetwork(source, fileName);
      module = new Resolver(diagnostics).resolve(ast, fileName, source);
    } catch (DslSyntaxException e) {
      for (Diagnostic d : e.diagnostics()) diagnostics.add(d);
    } catch (RuntimeException | StackOverflowError e) {
      // A bug, not a user error: keep the promise of never throwing, but say so plainly.
      diagnostics.report(Message.INTERNAL_ERROR, new SourceLocation(fileName, 1, 1), e.toString());
    }
    if (diagnostics.hasErrors()) module = null;
    Diagnostics.Capped shown = diagnostics.capped();
    return new CompileResult(module, shown.shown(), shown.unshownErrors());
  }

  /**
   * Reads (as UTF-8) and compiles a file; the path as given appears in diagnostics. A file that
   * cannot be read gives one file-level diagnostic ({@link SourceFiles}), never an exception.
   */
  public static CompileResult compile(Path file) {
    try {
      return compile(file.toString(), SourceFiles.read(file));
    } catch (SourceFiles.UnreadableException e) {
      return new CompileResult(null, List.of(e.diagnostic()));
    }
  }
}
