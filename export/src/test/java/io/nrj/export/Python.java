package io.nrj.export;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Python with torch and safetensors that the PyTorch tests use: {@code $NRJ_PYTHON} (CI sets it
 * to the venv {@code scripts/torch-venv.sh} makes), else the system property {@code nrj.python},
 * else {@code python3}; null when that cannot import both, so the tests skip.
 */
final class Python {
  private static final String EXECUTABLE = find();

  private Python() {}

  /** The interpreter, or null when none with torch and safetensors is here. */
  static String executable() {
    return EXECUTABLE;
  }

  private static String find() {
    String configured = System.getenv("NRJ_PYTHON");
    if (configured == null || configured.isBlank()) configured = System.getProperty("nrj.python", "python3");
    try {
      Result r = run(List.of(configured, "-c", "import torch, safetensors"), 120);
      return r.code() == 0 ? configured : null;
    } catch (IOException e) {
      return null;
    }
  }

  record Result(int code, String output) {}

  /** Runs a command, output and errors together; a command past its time is killed (code -1). */
  static Result run(List<String> command, int seconds) throws IOException {
    Path log = Files.createTempFile("nrj-python", ".log");
    try {
      Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      boolean done;
      try {
        done = p.waitFor(seconds, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        done = false;
      }
      if (!done) p.destroyForcibly();
      return new Result(done ? p.exitValue() : -1, Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
