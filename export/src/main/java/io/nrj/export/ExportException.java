package io.nrj.export;

import io.nrj.runtime.io.InputFileException;
import java.nio.file.Path;

/**
 * A checkpoint that cannot be exported: a tensor missing, misshapen or not finite, a layer whose
 * input was deleted at rejuvenation, a layout that does not fit the widths, or a model too large
 * for one ONNX file. The message starts with the checkpoint and names the tensor or layer; the CLI
 * prints it and exits 1, and nothing is written.
 */
public final class ExportException extends InputFileException {
  public ExportException(Path checkpoint, String problem) {
    super(checkpoint, problem);
  }
}
