package io.nrj.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.runtime.checkpoint.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of {@code nrj train} in the middle of a checkpoint write (issue 14, items 4 and
 * 7): a real process, stopped by SIGKILL while its temporary file holds only the header (the
 * writer's test hook pauses there). The previous checkpoint must still load and resume, the next
 * run in the folder must remove the stray temporary file, and the resumed run must end with the same
 * bits as a run that was never interrupted.
 */
class CheckpointKillTest {
  @TempDir Path dir;

  @Test
  void aKillDuringACheckpointWriteLeavesTheLastCheckpointLoadableAndTheNextRunCleansUp() throws Exception {
    Path spec = dir.resolve("tiny.nr");
    Files.writeString(spec, TrainCommandTest.SPEC);
    Path data = TinyMnist.write(dir.resolve("data"), 96, 50);
    String[] common = {"--data", data.toString(), "--device", "cpu", "--interpreted", "--seed", "7"};

    Path straight = dir.resolve("straight");
    CliRun r = CliRun.of(args(spec, common, "--out", straight.toString()));
    assertEquals(0, r.code(), r.err());

    Path run = dir.resolve("run");
    r = CliRun.of(args(spec, common, "--out", run.toString(), "--epochs", "1"));
    assertEquals(0, r.code(), r.err());
    Path checkpoint = run.resolve("checkpoint.safetensors");
    byte[] epoch1 = Files.readAllBytes(checkpoint);

    // Resume in a real process whose checkpoint writes stall after the header; kill it there.
    Process p =
        NrjProcess.start(
            dir, "killed", List.of("-Dnrj.test.checkpointWriteDelayMillis=120000"),
            args(spec, common, "--out", run.toString(), "--epochs", "2", "--resume", checkpoint.toString()));
    Path temporary = awaitTemporaryFile(run, p);
    p.destroyForcibly(); // SIGKILL on POSIX
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(137, p.exitValue(), "killed by signal 9");
    assertTrue(Files.exists(temporary), "the interrupted write left its temporary file");
    assertArrayEquals(epoch1, Files.readAllBytes(checkpoint), "the last complete checkpoint is untouched");
    assertEquals(1, Checkpoint.read(checkpoint).epoch());

    // The next run in the folder removes the stray file and resumes from the intact checkpoint.
    r = CliRun.of(args(spec, common, "--out", run.toString(), "--epochs", "2", "--resume", checkpoint.toString()));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("note: removed " + temporary + ", left by an interrupted write"), r.out());
    assertFalse(Files.exists(temporary));
    assertEquals(List.of(), temporaries(run));
    Checkpoint resumed = Checkpoint.read(checkpoint);
    Checkpoint uninterrupted = Checkpoint.read(straight.resolve("checkpoint.safetensors"));
    assertEquals(2, resumed.epoch());
    TrainCommandTest.assertSameTensors(uninterrupted.model().asMap(), resumed.model().asMap());
    TrainCommandTest.assertSameTensors(uninterrupted.momentum().asMap(), resumed.momentum().asMap());
  }

  private static String[] args(Path spec, String[] common, String... more) {
    return Stream.of(new String[] {"train", spec.toString()}, common, more).flatMap(Stream::of).toArray(String[]::new);
  }

  /** Waits (at most two minutes) until a checkpoint's temporary file holds its header. */
  private static Path awaitTemporaryFile(Path dir, Process p) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < deadline) {
      for (Path t : temporaries(dir)) if (Files.size(t) > 8) return t;
      if (!p.isAlive()) throw new AssertionError("nrj train ended (" + p.exitValue() + ") before writing a checkpoint");
      Thread.sleep(20);
    }
    p.destroyForcibly();
    throw new AssertionError("no checkpoint write began within two minutes");
  }

  private static List<Path> temporaries(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(f -> f.getFileName().toString().matches("\\.checkpoint\\.safetensors\\.[0-9]+\\.tmp")).toList();
    }
  }
}
