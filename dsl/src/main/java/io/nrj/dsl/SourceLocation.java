package io.nrj.dsl;

/**
 * A place in a {@code .nr} source: the file's name as given, 1-based line and column; line 0 means
 * the file as a whole (it cannot be read, for example).
 */
public record SourceLocation(String file, int line, int column) {
  public static final SourceLocation UNKNOWN = new SourceLocation("<unknown>", 0, 0);

  /** The file as a whole. */
  public static SourceLocation wholeFile(String file) {
    return new SourceLocation(file, 0, 0);
  }

  @Override
  public String toString() {
    return line == 0 ? file : file + ":" + line + ":" + column;
  }
}
