package io.nrj.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.ir.Widths;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.HostTensor;
import io.nrj.runtime.io.Safetensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  @TempDir Path dir;

  static final String SOURCE = """
      network tiny {
        input 1x4x4
        classes 3
        conv 2 k3 input
        classifier
      }
      """;

  static HostTensor ramp(float start, int... shape) {
    HostTensor t = HostTensor.zeros(shape);
    for (int i = 0; i < t.numel(); i++) t.data()[i] = start + i * 0.25f;
    return t;
  }

  static HostParams model() {
    HostParams p = new HostParams();
    p.put("c0.conv.weight", ramp(-1, 2, 1, 3, 3));
    p.put("c0.bn.weight", ramp(1, 2));
    p.put("c0.bn.bias", ramp(0, 2));
    p.put("c0.bn.running_mean", ramp(0.5f, 2));
    p.put("c0.bn.running_var", ramp(2, 2));
    p.put("c0.bn.num_batches_tracked", new HostTensor(new int[0], new float[] {1234}));
    p.put("fc.weight", ramp(-0.5f, 3, 2, 1, 1));
    p.put("fc.bias", ramp(0.125f, 3));
    return p;
  }

  static Checkpoint checkpoint() {
    HostParams m = model();
    HostParams mom = new HostParams();
    for (String n : List.of("c0.conv.weight", "c0.bn.weight", "c0.bn.bias", "fc.weight", "fc.bias")) {
      mom.put(n, ramp(0.01f, m.get(n).shape()));
    }
    LinkedHashMap<String, String> extra = new LinkedHashMap<>();
    extra.put("best_top1", "0.75");
    return new Checkpoint(
        SOURCE, "tiny", "quick", new Widths(new int[] {2}), 3, 42L,
        new Checkpoint.OptimizerState(0.01, 0.9, 1e-4, 375), "{\"stage\":\"sparse\",\"lambda\":1.5e-4}", extra, m, mom);
  }

  @Test
  void roundTripsTensorsMomentumAndMetadata() {
    Path f = dir.resolve("epoch3.safetensors");
    Checkpoint c = checkpoint();
    c.write(f);
    Checkpoint r = Checkpoint.read(f);
    assertEquals(List.copyOf(c.model().asMap().keySet()), List.copyOf(r.model().asMap().keySet()));
    for (String n : c.model().asMap().keySet()) {
      assertArrayEquals(c.model().get(n).shape(), r.model().get(n).shape(), n);
      assertArrayEquals(c.model().get(n).data(), r.model().get(n).data(), n);
    }
    for (String n : c.momentum().asMap().keySet()) assertArrayEquals(c.momentum().get(n).data(), r.momentum().get(n).data());
    assertEquals(c.momentum().asMap().keySet(), r.momentum().asMap().keySet());
    assertEquals(List.of(SOURCE, "tiny", "quick", new Widths(new int[] {2}), 3, 42L),
        List.of(r.nrSource(), r.network(), r.schedule(), r.widths(), r.epoch(), r.seed()));
    assertEquals(c.optimizer(), r.optimizer());
    assertEquals(c.nrState(), r.nrState());
    assertEquals(Map.of("best_top1", "0.75"), r.extra());
  }

  @Test
  void storesPytorchStyleTensorsAndStringMetadata() {
    Path f = dir.resolve("c.safetensors");
    checkpoint().write(f);
    Safetensors.Contents raw = Safetensors.read(f);
    assertEquals(Safetensors.DType.I64, raw.tensor("c0.bn.num_batches_tracked").dtype());
    assertArrayEquals(new long[] {1234}, raw.tensor("c0.bn.num_batches_tracked").toLongs());
    assertArrayEquals(new long[] {2, 1, 3, 3}, raw.tensor("c0.conv.weight").shape());
    assertEquals(Safetensors.DType.F32, raw.tensor("optimizer.momentum.fc.bias").dtype());
    LinkedHashMap<String, String> expect = new LinkedHashMap<>();
    expect.put("format", "nrj-checkpoint");
    expect.put("format_version", "1");
    expect.put("network", "tiny");
    expect.put("schedule", "quick");
    expect.put("widths", "[2]");
    expect.put("epoch", "3");
    expect.put("seed", "42");
    expect.put("optimizer", "{\"type\":\"sgd\",\"lr\":0.01,\"momentum\":0.9,\"weight_decay\":1.0E-4,\"step\":375}");
    expect.put("nr_state", "{\"stage\":\"sparse\",\"lambda\":1.5e-4}");
    expect.put("nr_source", SOURCE);
    expect.put("extra.best_top1", "0.75");
    assertEquals(expect, raw.metadata());
    assertEquals(List.copyOf(expect.keySet()), List.copyOf(raw.metadata().keySet()));
  }

  @Test
  void namesATruncatedCheckpoint() throws IOException {
    Path f = dir.resolve("c.safetensors");
    checkpoint().write(f);
    byte[] b = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(b, b.length - 10));
    CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.read(f));
    assertEquals(f + ": corrupt or unreadable checkpoint: tensor 'optimizer.momentum.fc.bias': data_offsets [260, 272]"
        + " lie outside the 262 data bytes", e.getMessage());
  }

  @Test
  void namesAFlippedHeaderByte() throws IOException {
    Path f = dir.resolve("c.safetensors");
    checkpoint().write(f);
    byte[] b = Files.readAllBytes(f);
    byte[] structural = b.clone();
    structural[8] ^= 0x20; // '{' becomes '['
    Files.write(f, structural);
    CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.read(f));
    assertEquals(f + ": corrupt or unreadable checkpoint: header is not valid JSON: Unexpected character (':' (code 58)): was expecting comma to separate Array entries at offset 15",
        e.getMessage());
    byte[] length = b.clone();
    length[2] ^= 0x01; // header length grows by 65536
    Files.write(f, length);
    e = assertThrows(CheckpointException.class, () -> Checkpoint.read(f));
    assertTrue(e.getMessage().startsWith(f + ": corrupt or unreadable checkpoint: header length "), e.getMessage());
    assertTrue(e.getMessage().endsWith(" does not fit in the file of " + b.length + " bytes"), e.getMessage());
  }

  @Test
  void rejectsSafetensorsThatAreNotCheckpoints() {
    Path f = dir.resolve("weights.safetensors");
    LinkedHashMap<String, Safetensors.Tensor> t = new LinkedHashMap<>();
    t.put("w", Safetensors.Tensor.f32(new int[] {1}, new float[] {1}));
    Safetensors.write(f, t, Map.of());
    assertEquals(f + ": not an nrj checkpoint (metadata 'format' is not 'nrj-checkpoint')",
        assertThrows(CheckpointException.class, () -> Checkpoint.read(f)).getMessage());
  }

  static Map<String, int[]> shapes(HostParams p) {
    Map<String, int[]> m = new LinkedHashMap<>();
    for (var e : p.asMap().entrySet()) if (!e.getKey().endsWith(".num_batches_tracked")) m.put(e.getKey(), e.getValue().shape());
    return m;
  }

  @Test
  void checkMatchesNamesTheMismatchedTensor() {
    Path f = dir.resolve("c.safetensors");
    checkpoint().write(f);
    Checkpoint c = Checkpoint.read(f);
    c.checkMatches(f, "tiny", new Widths(new int[] {2}), shapes(model())); // the same network passes
    HostParams other = model();
    other.put("c0.conv.weight", HostTensor.zeros(4, 1, 3, 3));
    other.remove("fc.bias");
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> c.checkMatches(f, "tiny", new Widths(new int[] {2}), shapes(other)));
    assertEquals(f + ": checkpoint does not match network 'tiny': tensor 'c0.conv.weight' has shape [2, 1, 3, 3],"
        + " expected [4, 1, 3, 3]; tensor 'fc.bias' is not in network 'tiny'", e.getMessage());
    assertEquals(f + ": checkpoint is for network 'tiny', not 'lenet5'", assertThrows(CheckpointException.class,
        () -> c.checkMatches(f, "lenet5", new Widths(new int[] {2}), shapes(model()))).getMessage());
    assertEquals(f + ": checkpoint widths [2] differ from the expected [4]", assertThrows(CheckpointException.class,
        () -> c.checkMatches(f, "tiny", new Widths(new int[] {4}), shapes(model()))).getMessage());
  }

  @Test
  void rejectsMomentumOfTheWrongShape() {
    Path f = dir.resolve("c.safetensors");
    Checkpoint c = checkpoint();
    c.momentum().put("fc.bias", HostTensor.zeros(5));
    c.write(f);
    assertEquals(f + ": tensor 'optimizer.momentum.fc.bias' has shape [5] but its parameter has [3]",
        assertThrows(CheckpointException.class, () -> Checkpoint.read(f)).getMessage());
  }

  @Test
  void writingIntoAMissingDirectoryLeavesNothingBehind() {
    Path f = dir.resolve("runs/out/c.safetensors");
    CheckpointException e = assertThrows(CheckpointException.class, () -> checkpoint().write(f));
    assertEquals(f + ": cannot write: directory " + dir.resolve("runs/out") + " does not exist", e.getMessage());
    assertFalse(Files.exists(dir.resolve("runs")));
  }

  @Test
  void aFailedWriteLeavesTheExistingCheckpointIntact() throws IOException {
    Path f = dir.resolve("c.safetensors");
    checkpoint().write(f);
    byte[] before = Files.readAllBytes(f);
    Checkpoint next = checkpoint();
    // An interrupt makes the file channel fail on its first write, after the temporary file exists:
    // a real I/O failure in the middle of writing.
    Thread.currentThread().interrupt();
    try {
      CheckpointException e = assertThrows(CheckpointException.class, () -> next.write(f));
      assertEquals(f + ": cannot write: java.nio.channels.ClosedByInterruptException", e.getMessage());
    } finally {
      Thread.interrupted();
    }
    // A checkpoint the format cannot hold fails before touching the disk.
    Checkpoint bad = checkpoint();
    bad.model().put("optimizer.momentum.x", HostTensor.zeros(1));
    assertEquals(f + ": model tensor 'optimizer.momentum.x' uses the reserved prefix optimizer.momentum.",
        assertThrows(CheckpointException.class, () -> bad.write(f)).getMessage());
    assertArrayEquals(before, Files.readAllBytes(f));
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of(f), s.toList()); // no temporary file left
    }
  }
}
