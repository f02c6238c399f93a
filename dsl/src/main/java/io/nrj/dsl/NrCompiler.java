package io.nrj.dsl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The front door of the DSL: {@code .nr} text to a resolved {@link io.nrj.dsl.ir.NrModule}, or the
 * full list of diagnostics. Never throws for bad input.
 */
public final class NrCompiler {
  private NrCompiler() {}

  /** Compiles source text; {@code fileName} is used in diagnostics as given. */
  public static CompileResult compile(String fileName, String source) {
    throw new UnsupportedOperationException("the DSL front end is built by the foundation issue");
  }

  /** Reads and compiles a file (UTF-8); the path as given appears in diagnostics. */
  public static CompileResult compile(Path file) throws IOException {
    return compile(file.toString(), Files.readString(file));
  }
}
