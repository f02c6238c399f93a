package io.nrj.runtime.checkpoint;

import io.nrj.runtime.io.InputFileException;
import java.nio.file.Path;

/** A checkpoint cannot be read or written, or does not match what the caller expects. */
public final class CheckpointException extends InputFileException {
  public CheckpointException(Path file, String problem) {
    super(file, problem);
  }

  public CheckpointException(Path file, String problem, Throwable cause) {
    super(file, problem, cause);
  }
}
