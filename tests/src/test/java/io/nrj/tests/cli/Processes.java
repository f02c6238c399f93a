package io.nrj.tests.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Real processes for the integration tests: the repository's scripts, java, bash, script(1). */
final class Processes {
  static final Path ROOT = Path.of(System.getProperty("nrj.repo.root", "..")).toAbsolutePath().normalize();
  static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

  /** A small plain spec: two epochs of six batches on {@link #mnist} data. */
  static final String SPEC =
      """
      network tiny {
        input 1x28x28
        classes 3
        conv 4 k5 stride 3 input
        maxpool 2
        conv 6 k3
        classifier
      }

      schedule quick {
        epochs 2
        batch 16
        test_batch 25
        sgd lr 0.05 momentum 0.9 weight_decay 5e-4
      }

      train tiny with quick
      """;

  private Processes() {}

  /** Exit code and the two streams. */
  record Result(int code, String out, String err) {}

  /** Runs {@code command} in the repository root with the built jars as they are (no rebuild). */
  static Result run(List<String> command, Map<String, String> env, int seconds) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().put("NRJ_NO_BUILD", "1");
    pb.environment().putAll(env);
    Path out = Files.createTempFile("nrj-out", ".txt");
    Path err = Files.createTempFile("nrj-err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    Process p = pb.start();
    boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
    if (!done) p.destroyForcibly();
    assertTrue(done, "timed out: " + command);
    Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    Files.delete(out);
    Files.delete(err);
    return r;
  }

  /** {@code bash -c line} in the repository root. */
  static Result bash(String line) throws IOException, InterruptedException {
    return run(List.of("bash", "-c", line), Map.of(), 300);
  }

  /** MNIST IDX files of {@code train} and {@code test} random 28x28 images in 3 classes. */
  static Path mnist(Path dir, int train, int test) throws IOException {
    Files.createDirectories(dir);
    idx(dir, "train", train, 1);
    idx(dir, "t10k", test, 2);
    return dir;
  }

  private static void idx(Path dir, String prefix, int n, long seed) throws IOException {
    Random rng = new Random(seed);
    byte[] images = new byte[n * 28 * 28];
    rng.nextBytes(images);
    try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(dir.resolve(prefix + "-images-idx3-ubyte")))) {
      o.writeInt(2051);
      o.writeInt(n);
      o.writeInt(28);
      o.writeInt(28);
      o.write(images);
    }
    try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(dir.resolve(prefix + "-labels-idx1-ubyte")))) {
      o.writeInt(2049);
      o.writeInt(n);
      for (int i = 0; i < n; i++) o.writeByte(rng.nextInt(3));
    }
  }

  /** A path quoted for bash. */
  static String q(Object path) {
    return "'" + path.toString().replace("'", "'\\''") + "'";
  }
}
