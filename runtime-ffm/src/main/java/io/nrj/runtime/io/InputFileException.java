package io.nrj.runtime.io;

import java.nio.file.Path;

/**
 * A file given by the user cannot be used: it is missing, truncated, corrupt or does not match what
 * the caller expects. The message starts with the file and says what is wrong; the CLI prints it
 * without a stack trace and exits with status 1.
 *
 * <p>Subclasses name the format ({@link SafetensorsException}, {@code DataException}, {@code
 * CheckpointException}); catch this type to handle all of them.
 */
public class InputFileException extends RuntimeException {
  private final Path file;
  private final String problem;

  public InputFileException(Path file, String problem) {
    this(file, problem, null);
  }

  public InputFileException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
    this.problem = problem;
  }

  /** The file (or directory) the problem is about. */
  public Path file() {
    return file;
  }

  /** What is wrong, without the file. */
  public String problem() {
    return problem;
  }
}
