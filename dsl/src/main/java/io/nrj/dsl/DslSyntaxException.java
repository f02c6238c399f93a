package io.nrj.dsl;

/**
 * A syntax error: thrown by the parser facade at the first one (like Trino's ParsingException) and
 * turned into a {@link Diagnostic} by {@link NrCompiler}. Never escapes the DSL's public API.
 */
public final class DslSyntaxException extends RuntimeException {
  private final transient Diagnostic diagnostic;

  public DslSyntaxException(Diagnostic diagnostic) {
    super(diagnostic.format(), null, false, false);
    this.diagnostic = diagnostic;
  }

  public Diagnostic diagnostic() {
    return diagnostic;
  }
}
