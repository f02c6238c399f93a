package io.nrj.dsl;

/**
 * One problem found in a {@code .nr} source. {@link #format()} gives the one-line form every tool
 * prints: {@code file:line:col: error: [NR-DSL-104] message}. {@code help} is a remedy or null.
 */
public record Diagnostic(SourceLocation location, Severity severity, String code, String message, String help) {
  public enum Severity {
    ERROR,
    WARNING;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public String format() {
    return location + ": " + severity.label() + ": [" + code + "] " + message;
  }
}
