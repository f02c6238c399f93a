package io.nrj.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.nrj.runtime.io.Safetensors.DType;
import io.nrj.runtime.io.Safetensors.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafetensorsTest {
  @TempDir Path dir;

  private static LinkedHashMap<String, Tensor> sample() {
    LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
    m.put("conv.weight", Tensor.f32(new int[] {2, 1, 1, 3}, new float[] {1, -2, 3.5f, 0, Float.MIN_VALUE, -0f}));
    m.put("bn.num_batches_tracked", Tensor.i64(new long[] {}, new long[] {1L << 40}));
    m.put("empty", Tensor.f32(new int[] {0, 4}, new float[0]));
    return m;
  }

  @Test
  void roundTripsF32AndI64WithMetadataInOrder() {
    Path f = dir.resolve("m.safetensors");
    Safetensors.write(f, sample(), Map.of("source", "network n {\n  \"q\" é }"));
    Safetensors.Contents c = Safetensors.read(f);
    assertEquals(List.of("conv.weight", "bn.num_batches_tracked", "empty"), List.copyOf(c.tensors().keySet()));
    assertArrayEquals(new float[] {1, -2, 3.5f, 0, Float.MIN_VALUE, -0f}, c.tensor("conv.weight").toFloats());
    assertArrayEquals(new int[] {2, 1, 1, 3}, c.tensor("conv.weight").intShape());
    assertEquals(DType.I64, c.tensor("bn.num_batches_tracked").dtype());
    assertArrayEquals(new long[] {1L << 40}, c.tensor("bn.num_batches_tracked").toLongs());
    assertArrayEquals(new long[] {}, c.tensor("bn.num_batches_tracked").shape());
    assertEquals(0, c.tensor("empty").numel());
    assertEquals(Map.of("source", "network n {\n  \"q\" é }"), c.metadata());
  }

  @Test
  void convertsHostParamsBothWays() {
    io.nrj.runtime.HostParams p = new io.nrj.runtime.HostParams();
    p.put("x", new io.nrj.runtime.HostTensor(new int[] {1, 2}, new float[] {0.5f, -1f}));
    p.put("labels", new io.nrj.runtime.HostTensor(new int[] {2}, new float[] {3, 7}));
    Path f = dir.resolve("in.safetensors");
    Safetensors.write(f, Safetensors.fromHost(p), Map.of());
    io.nrj.runtime.HostParams q = Safetensors.read(f).toHostParams();
    assertEquals(List.of("x", "labels"), List.copyOf(q.asMap().keySet()));
    assertArrayEquals(new float[] {0.5f, -1f}, q.get("x").data());
    assertArrayEquals(new int[] {1, 2}, q.get("x").shape());
  }

  @Test
  void writesTheExactByteLayoutOfTheFormat() throws IOException {
    Path f = dir.resolve("tiny.safetensors");
    LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
    m.put("a", Tensor.f32(new int[] {2}, new float[] {1f, 2f}));
    Safetensors.write(f, m, Map.of("k", "v"));
    String header = "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    // 75 bytes of JSON padded with spaces to 80 so the data starts 8-byte aligned.
    String padded = header + " ".repeat(80 - header.length());
    ByteBuffer expected = ByteBuffer.allocate(8 + 80 + 8).order(ByteOrder.LITTLE_ENDIAN);
    expected.putLong(80).put(padded.getBytes(StandardCharsets.US_ASCII)).putFloat(1f).putFloat(2f);
    assertArrayEquals(expected.array(), Files.readAllBytes(f));
  }

  @Test
  void readsAFileWrittenByPytorch() throws Exception {
    Safetensors.Contents c = Safetensors.read(resource("torch-layers.safetensors"));
    Tensor x = c.tensor("avgpool2.x"), y = c.tensor("avgpool2.y");
    assertEquals(DType.F64, x.dtype());
    assertArrayEquals(new long[] {2, 3, 6, 6}, x.shape());
    double[] xs = x.toDoubles(), ys = y.toDoubles();
    // y[n,c,i,j] is the mean of the 2x2 window of x: checks that offsets and byte order are right.
    for (int nc = 0; nc < 6; nc++) {
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
          int b = nc * 36 + 2 * i * 6 + 2 * j;
          double mean = (xs[b] + xs[b + 1] + xs[b + 6] + xs[b + 7]) / 4;
          assertEquals(mean, ys[nc * 9 + i * 3 + j], 1e-12);
        }
      }
    }
  }

  @Test
  void readsI32Bf16AndF64() throws IOException {
    ByteBuffer d = ByteBuffer.allocate(4 * 2 + 2 * 2 + 8).order(ByteOrder.LITTLE_ENDIAN);
    d.putInt(-7).putInt(9);
    d.putShort((short) (Float.floatToIntBits(1.5f) >>> 16)).putShort((short) (Float.floatToIntBits(-3f) >>> 16));
    d.putDouble(0.1);
    Path f = raw(
        "{\"i\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1,2],\"data_offsets\":[8,12]},"
            + "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[12,20]}}",
        d.array());
    Safetensors.Contents c = Safetensors.read(f);
    assertArrayEquals(new long[] {-7, 9}, c.tensor("i").toLongs());
    assertArrayEquals(new float[] {-7, 9}, c.tensor("i").toFloats());
    assertArrayEquals(new float[] {1.5f, -3f}, c.tensor("b").toFloats());
    assertArrayEquals(new double[] {0.1}, c.tensor("d").toDoubles());
    assertArrayEquals(new float[] {0.1f}, c.tensor("d").toHost().data());
  }

  static Stream<Arguments> corruptHeaders() {
    String ok = "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]";
    return Stream.of(
        Arguments.of("{\"a\":{" + ok + "},\"a\":{" + ok + "}}", "header is not valid JSON: Duplicate field 'a' at offset 57"),
        Arguments.of("{\"a\":{" + ok + "}",
            "header is not valid JSON: Unexpected end-of-input: expected close marker for Object at offset 53"),
        Arguments.of("[1]", "header is not a JSON object"),
        Arguments.of("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}",
            "tensor 'a': data_offsets [0, 16] lie outside the 8 data bytes"),
        Arguments.of("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
            "tensor 'a': data_offsets [0, 8] hold 8 bytes but F32 [3] needs 12"),
        Arguments.of("{\"a\":{\"dtype\":\"F8\",\"shape\":[2],\"data_offsets\":[0,8]}}", "tensor 'a': unsupported dtype \"F8\""),
        Arguments.of("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
            "tensor 'a': shape holds -2, not a non-negative integer"),
        Arguments.of("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}",
            "tensor 'a': data_offsets is not an array of 2 integers"),
        Arguments.of("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}",
            "tensor 'a': data_offsets [8, 0] lie outside the 8 data bytes"),
        Arguments.of("{\"a\":{" + ok + ",\"extra\":1}}", "tensor 'a': unknown field \"extra\""),
        Arguments.of("{\"__metadata__\":{\"epoch\":3}}", "__metadata__ value of \"epoch\" is not a string"));
  }

  @ParameterizedTest
  @MethodSource("corruptHeaders")
  void rejectsCorruptHeadersNamingFileAndTensor(String header, String problem) throws IOException {
    Path f = raw(header, new byte[8]);
    SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.read(f));
    assertEquals(f + ": " + problem, e.getMessage());
    assertEquals(f, e.file());
  }

  @Test
  void rejectsHeaderLengthBeyondTheFile() throws IOException {
    Path f = dir.resolve("bad.safetensors");
    Files.write(f, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
    SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.read(f));
    assertEquals(f + ": header length 1000 does not fit in the file of 12 bytes", e.getMessage());
  }

  @Test
  void rejectsTruncatedFiles() throws IOException {
    Path f = dir.resolve("m.safetensors");
    Safetensors.write(f, sample(), Map.of());
    byte[] all = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(all, all.length - 4));
    SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.read(f));
    assertEquals(f + ": tensor 'bn.num_batches_tracked': data_offsets [24, 32] lie outside the 28 data bytes", e.getMessage());
    Files.write(f, Arrays.copyOf(all, 5));
    e = assertThrows(SafetensorsException.class, () -> Safetensors.read(f));
    assertEquals(f + ": file is 5 bytes, too short for a safetensors header", e.getMessage());
  }

  @Test
  void namesAMissingFileAndAMissingTensor() {
    Path f = dir.resolve("nope.safetensors");
    assertEquals(f + ": file does not exist", assertThrows(SafetensorsException.class, () -> Safetensors.read(f)).getMessage());
    Path g = dir.resolve("m.safetensors");
    Safetensors.write(g, sample(), Map.of());
    Safetensors.Contents c = Safetensors.read(g);
    assertEquals(g + ": no tensor named 'fc.weight'", assertThrows(SafetensorsException.class, () -> c.tensor("fc.weight")).getMessage());
  }

  @Test
  void writingIntoAMissingDirectoryLeavesNothingBehind() {
    Path f = dir.resolve("missing/m.safetensors");
    SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.write(f, sample(), Map.of()));
    assertEquals(f + ": cannot write: directory " + dir.resolve("missing") + " does not exist", e.getMessage());
    assertFalse(Files.exists(dir.resolve("missing")));
  }

  @Test
  void aFailedWriteLeavesTheExistingFileIntactAndNoTemporaryFile() throws IOException {
    Path f = dir.resolve("m.safetensors");
    Safetensors.write(f, sample(), Map.of("v", "1"));
    byte[] before = Files.readAllBytes(f);
    IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, ch -> {
      AtomicFiles.writeFully(ch, ByteBuffer.wrap(new byte[100]));
      throw new IOException("disk full");
    }));
    assertEquals("disk full", e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(f));
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of(f), s.toList());
    }
  }

  @Test
  void removesOnlyTheTemporaryFilesOfTheNamedTargets() throws IOException {
    List<String> ours = List.of(".checkpoint.safetensors.8214419950134523.tmp", ".metrics.csv.1.tmp");
    List<String> kept = List.of(
        "checkpoint.safetensors", ".checkpoint.safetensors.tmp", ".checkpoint.safetensors.12ab.tmp",
        ".notes.txt.123.tmp", "checkpoint.safetensors.123.tmp", ".checkpoint.safetensors.123.tmp.bak");
    for (String n : ours) Files.writeString(dir.resolve(n), "half");
    for (String n : kept) Files.writeString(dir.resolve(n), "mine");
    Files.createDirectory(dir.resolve(".metrics.csv.2.tmp")); // not a file: not ours
    List<Path> removed = AtomicFiles.removeStale(dir, List.of("checkpoint.safetensors", "metrics.csv"));
    assertEquals(List.of(dir.resolve(".checkpoint.safetensors.8214419950134523.tmp"), dir.resolve(".metrics.csv.1.tmp")), removed);
    for (String n : ours) assertFalse(Files.exists(dir.resolve(n)), n);
    for (String n : kept) assertEquals("mine", Files.readString(dir.resolve(n)), n);
    assertEquals(List.of(), AtomicFiles.removeStale(dir.resolve("absent"), List.of("metrics.csv")));
  }

  @Test
  void refusesReservedTensorNames() {
    Path f = dir.resolve("m.safetensors");
    LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
    m.put("__metadata__", Tensor.f32(new int[] {1}, new float[1]));
    assertEquals(f + ": cannot write a tensor named '__metadata__'",
        assertThrows(SafetensorsException.class, () -> Safetensors.write(f, m, Map.of())).getMessage());
    assertFalse(Files.exists(f));
  }

  private Path raw(String header, byte[] data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    Path f = dir.resolve("raw.safetensors");
    Files.write(f, b.array());
    return f;
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(SafetensorsTest.class.getResource(name).toURI());
  }
}
