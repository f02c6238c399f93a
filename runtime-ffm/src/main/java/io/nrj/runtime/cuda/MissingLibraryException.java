package io.nrj.runtime.cuda;

/** A GPU library that could not be found or loaded; the message lists every place looked in. */
public final class MissingLibraryException extends RuntimeException {
  private final String soname;

  public MissingLibraryException(String soname, String message) {
    super(message);
    this.soname = soname;
  }

  /** The library looked for, e.g. {@code libcudnn.so.9}. */
  public String soname() {
    return soname;
  }
}
