package io.nrj.dsl;

/** A place in a {@code .nr} source: the file's name as given, 1-based line and column. */
public record SourceLocation(String file, int line, int column) {
  public static final SourceLocation UNKNOWN = new SourceLocation("<unknown>", 0, 0);

  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
