package io.nrj.runtime.cuda.cheader;

/**
 * One C token and where it came from ({@code file:line}, quoted in mismatch messages). Tokens
 * produced by a macro expansion carry the place of the macro's use.
 */
public record CToken(Kind kind, String text, String file, int line) {

  /** The lexical classes the scanner tells apart. */
  public enum Kind {
    IDENTIFIER,
    NUMBER,
    STRING,
    CHAR,
    PUNCTUATOR
  }

  /** {@code file:line}, as quoted in messages. */
  public String where() {
    return file + ":" + line;
  }

  boolean is(String s) {
    return text.equals(s);
  }

  boolean isIdentifier() {
    return kind == Kind.IDENTIFIER;
  }

  CToken at(CToken place) {
    return new CToken(kind, text, place.file, place.line);
  }

  @Override
  public String toString() {
    return text;
  }
}
