package io.nrj.dsl;

import java.util.List;

/**
 * Syntax errors (the first one of each definition): thrown by the parser facade, like Trino's
 * ParsingException, and turned into {@link Diagnostic}s by {@link NrCompiler}. Never escapes the
 * DSL's public API.
 */
public final class DslSyntaxException extends RuntimeException {
  private final transient List<Diagnostic> diagnostics;

  public DslSyntaxException(Diagnostic diagnostic) {
    this(List.of(diagnostic));
  }

  public DslSyntaxException(List<Diagnostic> diagnostics) {
    super(diagnostics.getFirst().format(), null, false, false);
    this.diagnostics = List.copyOf(diagnostics);
  }

  public List<Diagnostic> diagnostics() {
    return diagnostics;
  }
}
