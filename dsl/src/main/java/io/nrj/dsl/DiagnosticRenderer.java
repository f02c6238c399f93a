package io.nrj.dsl;

/**
 * Renders a diagnostic for a terminal, the way compilers do: the one-line form, the offending
 * source line with a caret under the column, and the remedy.
 *
 * <pre>
 * vgg.nr:4:3: error: [NR-DSL-102] unknown keyword 'convv'
 *   convv 64 k3
 *   ^
 * help: did you mean 'conv'?
 * </pre>
 */
public final class DiagnosticRenderer {
  private DiagnosticRenderer() {}

  /** {@code source} is the text the diagnostic points into, or null when it is not available. */
  public static String render(Diagnostic d, String source) {
    StringBuilder sb = new StringBuilder(d.format()).append('\n');
    String line = source == null ? null : line(source, d.location().line());
    if (line != null) {
      sb.append(line).append('\n');
      // Columns count characters (code points), as the lexer does; a tab stays a tab so the caret
      // lines up however wide the terminal draws it.
      int points = line.codePointCount(0, line.length());
      int col = Math.max(1, Math.min(d.location().column(), points + 1));
      int end = line.offsetByCodePoints(0, col - 1);
      for (int i = 0; i < end; ) {
        int cp = line.codePointAt(i);
        sb.append(cp == '\t' ? '\t' : ' ');
        i += Character.charCount(cp);
      }
      sb.append("^\n");
    }
    if (d.help() != null) sb.append("help: ").append(d.help()).append('\n');
    return sb.toString();
  }

  private static String line(String source, int number) {
    if (number < 1) return null;
    int start = 0;
    for (int n = 1; n < number; n++) {
      int nl = source.indexOf('\n', start);
      if (nl < 0) return null;
      start = nl + 1;
    }
    int end = source.indexOf('\n', start);
    String line = source.substring(start, end < 0 ? source.length() : end);
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }
}
