package io.nrj.runtime.data;

import io.nrj.runtime.io.InputFileException;
import java.nio.file.Path;

/**
 * A data set cannot be used: a missing directory or file, a truncated file, a wrong magic number, an
 * unreadable image. The message starts with the file and says what is wrong.
 */
public final class DataException extends InputFileException {
  public DataException(Path file, String problem) {
    super(file, problem);
  }

  public DataException(Path file, String problem, Throwable cause) {
    super(file, problem, cause);
  }
}
