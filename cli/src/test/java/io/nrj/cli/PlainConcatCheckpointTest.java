package io.nrj.cli;

import static io.nrj.cli.TrainCommandTest.nrj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.runtime.checkpoint.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints of a rejuvenated DenseNet written by an nrj that joined concatenations in plain input
 * order (NR state version 1; made here from real checkpoints by writing their NR state back as
 * version 1): once trained after rejuvenation, {@code nrj eval}, {@code export} and {@code train
 * --resume} refuse them with one line naming the file and the concatenation (exit 1); a checkpoint
 * saved right at rejuvenation (compress-only, no step since the surgery) still loads and evaluates
 * exactly as its version-2 original.
 */
class PlainConcatCheckpointTest {
  /** The same rejuvenating schedule, named {@code name}, with {@code more} in its rejuvenate block. */
  private static String schedule(String name, String more) {
    return """
        schedule %s {
          epochs 1
          batch 16
          test_batch 25
          sgd lr 0.1 momentum 0.9 weight_decay 5e-4
          rejuvenate {
            sparsity 0.1
            target 0.7
            measure params
            cross removed
            %s
          }
        }
        """
        .formatted(name, more);
  }

  static final String SPEC =
      """
      block dense_layer(growth) {
        dense {
          conv1: conv 2 * growth k1 split
          conv2: conv growth k3 split
        }
      }

      network tiny_dense {
        input 1x28x28
        classes 3
        conv 12 k5 stride 3 input split
        maxpool 2
        block1: repeat 2 { dense_layer(6) }
        classifier
      }
      """
          + schedule("mixed", "")
          + schedule("compress", "compress_only");

  @TempDir static Path dir;
  static Path spec;
  static Path data;

  @BeforeAll
  static void setUp() throws Exception {
    spec = dir.resolve("tiny_dense.nr");
    Files.writeString(spec, SPEC);
    data = TinyMnist.write(dir.resolve("data"), 96, 50);
  }

  /** Trains with {@code schedule}; returns the run's checkpoint, rejuvenated. */
  private static Path train(String schedule) {
    Path out = dir.resolve(schedule);
    TrainCommandTest.Run r =
        nrj("train", spec.toString(), "--schedule", schedule, "--data", data.toString(), "--device", "cpu", "--out",
            out.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("rejuvenation after epoch"), r.out());
    return out.resolve("checkpoint.safetensors");
  }

  /** A copy of {@code file} whose NR state says version 1, as an nrj before the fix wrote it. */
  private static Path asVersionOne(Path file) {
    Checkpoint c = Checkpoint.read(file);
    assertTrue(c.nrState().startsWith("{\"version\":2,"), c.nrState());
    Path old = file.resolveSibling("version1.safetensors");
    new Checkpoint(
            c.nrSource(), c.network(), c.schedule(), c.widths(), c.epoch(), c.seed(), c.optimizer(),
            c.nrState().replace("{\"version\":2,", "{\"version\":1,"), c.extra(), c.model(), c.momentum())
        .write(old);
    return old;
  }

  @Test
  void trainedAfterRejuvenationIsRefusedNamingTheFileAndTheConcatenation() {
    Path trained = train("mixed");
    long steps = Checkpoint.read(trained).optimizer().step();
    assertTrue(steps > 0, "the checkpoint should hold mixed training");
    Path old = asVersionOne(trained);
    String problem =
        old + ": metadata 'nr_state' does not fit network 'tiny_dense': NR state: version 1 was written by an nrj that joined concatenation"
            + " 'block1.0.0' in plain input order after rejuvenation, and " + steps + " optimiser steps have trained it"
            + " that way since; this nrj joins survivor channels first (spec §5.3), so the trained tensors cannot be"
            + " read with their meaning; train again from the start\n";
    TrainCommandTest.Run r = nrj("eval", "--checkpoint", old.toString(), "--data", data.toString(), "--device", "cpu");
    assertEquals(1, r.code(), r.err());
    assertEquals("nrj eval: " + problem, r.err());
    Path onnx = dir.resolve("old.onnx");
    r = nrj("export", old.toString(), "--format", "onnx", "--out", onnx.toString());
    assertEquals(1, r.code(), r.err());
    assertEquals("nrj export: " + problem, r.err());
    assertTrue(Files.notExists(onnx));
    r = nrj("train", spec.toString(), "--schedule", "mixed", "--data", data.toString(), "--device", "cpu", "--out",
        dir.resolve("resumed").toString(), "--resume", old.toString());
    assertEquals(1, r.code(), r.err());
    assertEquals("nrj train: " + problem, r.err());
    // the checkpoint as this nrj wrote it evaluates
    assertEquals(0, nrj("eval", "--checkpoint", trained.toString(), "--data", data.toString(), "--device", "cpu").code());
  }

  @Test
  void savedRightAtRejuvenationStillLoadsWithTheSameMeaning() {
    Path compressed = train("compress");
    assertEquals(0, Checkpoint.read(compressed).optimizer().step());
    Path old = asVersionOne(compressed);
    TrainCommandTest.Run now = nrj("eval", "--checkpoint", compressed.toString(), "--data", data.toString(), "--device", "cpu");
    TrainCommandTest.Run before = nrj("eval", "--checkpoint", old.toString(), "--data", data.toString(), "--device", "cpu");
    assertEquals(0, now.code(), now.err());
    assertEquals(0, before.code(), before.err());
    assertTrue(now.out().contains("survivor"), now.out());
    assertEquals(now.out().replace(compressed.getFileName().toString(), "F"), before.out().replace(old.getFileName().toString(), "F"));
  }
}
