package io.nrj.runtime.io;

import java.nio.file.Path;

/** A safetensors file cannot be read or written; the message names the file and, where one is at fault, the tensor. */
public final class SafetensorsException extends InputFileException {
  public SafetensorsException(Path file, String problem) {
    super(file, problem);
  }

  public SafetensorsException(Path file, String problem, Throwable cause) {
    super(file, problem, cause);
  }
}
