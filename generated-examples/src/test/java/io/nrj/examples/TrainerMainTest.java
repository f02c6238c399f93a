package io.nrj.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generated trainer's {@code main}, through its {@code train(args, out, err)}: exit codes of
 * DESIGN.md's {@code train} contract, and a real (tiny) run on a synthetic MNIST-format directory
 * that writes metrics and a checkpoint.
 */
class TrainerMainTest {
  @TempDir Path tmp;

  private record Result(int code, String out, String err) {}

  private static Result train(String... args) {
    return run(Lenet5Trainer::train, args);
  }

  private interface Main {
    int train(String[] args, PrintStream out, PrintStream err);
  }

  private static Result run(Main main, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        main.train(
            args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void missingDataIsAUsageError() {
    Result r = train();
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("Lenet5Trainer: 'Lenet5Trainer' needs --data\nusage: Lenet5Trainer [-hV] [--schedule=S] --data=PATH|mnist"), r.err());
  }

  @Test
  void unknownOptionIsAUsageErrorWithASuggestion() {
    Result r = train("--data", "mnist", "--epoch", "3");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("Lenet5Trainer: unknown option '--epoch' for 'Lenet5Trainer'; did you mean '--epochs'?\n"), r.err());
  }

  @Test
  void helpListsTheOptionsOfNrjTrain() {
    Result r = train("--help");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("usage: Lenet5Trainer [-hV] [--schedule=S] --data=PATH|mnist [--device=auto|cpu|cuda]"), r.out());
    assertTrue(r.out().contains("Trains lenet5 (with Neural Rejuvenation when the schedule has a rejuvenate block): the generated"), r.out());
    for (String option : new String[] {"--data", "--device", "--precision", "--epochs", "--batch", "--seed", "--out",
        "--resume", "--cuda-graphs", "--progress-every", "--schedule", "--help", "--version"}) {
      assertTrue(r.out().contains(option), option + " missing from\n" + r.out());
    }
  }

  @Test
  void missingDataDirectoryIsAUserErrorWithoutStackTrace() {
    Result r = train("--data", tmp.resolve("nowhere").toString(), "--device", "cpu");
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("Lenet5Trainer: "), r.err());
    assertTrue(r.err().contains("nowhere"), r.err());
    assertTrue(!r.err().contains("\tat "), r.err());
  }

  @Test
  void trainsOneEpochOnTinyMnistDirectoryAndWritesMetricsAndCheckpoint() throws IOException {
    Path data = Files.createDirectories(tmp.resolve("mnist"));
    writeIdx(data, "train", 128, 1);
    writeIdx(data, "t10k", 32, 2);
    Path out = tmp.resolve("run");
    // TinyPlain's schedule has no rejuvenation: with NR the sparse phase extends training until
    // the utilization target is met (spec §2.2), which random data may never do.
    Result r =
        run(TinyPlainTrainer::train, "--data", data.toString(), "--device", "cpu", "--out", out.toString());
    assertEquals(0, r.code(), r.err() + r.out());
    assertTrue(r.out().contains("epoch 1/"), r.out());
    assertTrue(Files.isRegularFile(out.resolve("metrics.csv")));
    assertTrue(Files.isRegularFile(out.resolve("checkpoint.safetensors")));
  }

  /** MNIST IDX files of {@code n} random 28x28 images with random labels. */
  private static void writeIdx(Path dir, String prefix, int n, long seed) throws IOException {
    Random rng = new Random(seed);
    byte[] images = new byte[n * 28 * 28];
    rng.nextBytes(images);
    byte[] labels = new byte[n];
    for (int i = 0; i < n; i++) labels[i] = (byte) rng.nextInt(10);
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
      o.write(labels);
    }
  }
}
