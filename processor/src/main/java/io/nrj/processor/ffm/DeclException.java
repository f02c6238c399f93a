package io.nrj.processor.ffm;

/** A malformed declaration file; the message starts with {@code file:line:}. */
public final class DeclException extends RuntimeException {
  public DeclException(String message) {
    super(message);
  }
}
