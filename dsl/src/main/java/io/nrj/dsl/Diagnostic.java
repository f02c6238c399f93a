package io.nrj.dsl;

/**
 * One problem found in a {@code .nr} source. {@link #format()} gives the one-line form every tool
 * prints: {@code file:line:col: error: [NR-DSL-104] message}. {@code help} is a remedy or null.
 */
public record Diagnostic(SourceLocation location, Severity severity, String code, String message, String help) {
  public enum Severity {
    ERROR,
    WARNING,
    /** About the report itself (errors not shown), not about the source. */
    NOTE;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** {@code file:line:col: error: [CODE] message}, or {@code file: error: [CODE] message} for the file as a whole. */
  public String format() {
    return location + ": " + severity.label() + ": [" + code + "] " + message;
  }
}
