package io.nrj.dsl;

import io.nrj.dsl.ast.NrFile;
import io.nrj.dsl.ir.NrModule;
import io.nrj.dsl.parser.DslParser;
import io.nrj.dsl.resolve.Resolver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
    return new CompileResult(module, diagnostics.sorted());
  }

  /** Reads and compiles a file (UTF-8); the path as given appears in diagnostics. */
  public static CompileResult compile(Path file) throws IOException {
    return compile(file.toString(), Files.readString(file));
  }
}
