package io.nrj.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nrj.runtime.io.Safetensors;
import io.nrj.runtime.io.Safetensors.Tensor;
import io.nrj.runtime.model.GraphNetwork;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nrj grad} on bad inputs (issue 14, item 5): named errors, integral labels of any dtype, identical bytes. */
class GradCommandTest {
  @TempDir static Path dir;
  static Path spec;
  static Path weights;
  static float[] x = new float[2 * 784];

  @BeforeAll
  static void setUp() throws IOException {
    spec = dir.resolve("tiny.nr");
    Files.writeString(spec, TrainCommandTest.SPEC);
    var ir = CommandSupport.select(CommandSupport.compile(spec), null, null).network();
    LinkedHashMap<String, Tensor> w = new LinkedHashMap<>();
    try (var backend = new io.nrj.runtime.cpu.CpuBackend();
        var net = new GraphNetwork(backend, ir, 5)) {
      for (var e : net.exportParams().asMap().entrySet()) {
        if (!e.getKey().endsWith("num_batches_tracked")) w.put(e.getKey(), Tensor.of(e.getValue()));
      }
    }
    weights = dir.resolve("w.safetensors");
    Safetensors.write(weights, w, Map.of());
    for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i * 0.37);
  }

  static Path input(String name, Tensor labels) {
    LinkedHashMap<String, Tensor> in = new LinkedHashMap<>();
    in.put("x", Tensor.f32(new int[] {2, 1, 28, 28}, x));
    in.put("labels", labels);
    Path f = dir.resolve(name);
    Safetensors.write(f, in, Map.of());
    return f;
  }

  static CliRun grad(Path weightsFile, Path inputFile, Path out) {
    return CliRun.of("grad", spec.toString(), "--weights", weightsFile.toString(), "--input", inputFile.toString(),
        "--out", out.toString());
  }

  static Tensor f64(double... v) {
    ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (double d : v) b.putDouble(d);
    return new Tensor(Safetensors.DType.F64, new long[] {v.length}, b.array());
  }

  @Test
  void float64LabelsWorkLikeInt64Labels() throws IOException {
    CliRun ints = grad(weights, input("i64.safetensors", Tensor.i64(new long[] {2}, new long[] {2, 0})), dir.resolve("g-i64.safetensors"));
    assertEquals(0, ints.code(), ints.err());
    CliRun doubles = grad(weights, input("f64.safetensors", f64(2, 0)), dir.resolve("g-f64.safetensors"));
    assertEquals(0, doubles.code(), doubles.err()); // was: "F64 is not an integer type", no file, no tensor
    assertArrayEquals(Files.readAllBytes(dir.resolve("g-i64.safetensors")), Files.readAllBytes(dir.resolve("g-f64.safetensors")));
  }

  @Test
  void fractionalLabelsAreANamedError() {
    Path in = input("frac.safetensors", Tensor.f32(new int[] {2}, new float[] {1.5f, 0f}));
    CliRun r = grad(weights, in, dir.resolve("g-frac.safetensors"));
    assertEquals(1, r.code()); // was: exit 0, label 1.5 silently read as 1
    assertEquals("nrj grad: " + in + ": tensor 'labels' holds 1.5 at element 0; labels are class indices, whole numbers\n", r.err());
    assertEquals(false, Files.exists(dir.resolve("g-frac.safetensors")));
  }

  @Test
  void shapeAndDtypeProblemsNameTheFileAndTensor() {
    Path in = input("labels2d.safetensors", Tensor.i64(new long[] {1, 2}, new long[] {1, 0}));
    assertEquals("nrj grad: " + in + ": tensor 'labels' has shape [1, 2], expected (2): one label per image of 'x'\n",
        grad(weights, in, dir.resolve("g.safetensors")).err());
    LinkedHashMap<String, Tensor> ix = new LinkedHashMap<>();
    ix.put("x", Tensor.i64(new long[] {1, 1, 28, 28}, new long[784]));
    ix.put("labels", Tensor.i64(new long[] {1}, new long[] {0}));
    Path intImages = dir.resolve("intx.safetensors");
    Safetensors.write(intImages, ix, Map.of());
    assertEquals("nrj grad: " + intImages + ": tensor 'x' is I64; expected a floating-point dtype (F32, F64, F16 or BF16)\n",
        grad(weights, intImages, dir.resolve("g.safetensors")).err());
    LinkedHashMap<String, Tensor> w = new LinkedHashMap<>(Safetensors.read(weights).tensors());
    w.put("classifier.bias", Tensor.f32(new int[] {4}, new float[4]));
    Path wide = dir.resolve("wide.safetensors");
    Safetensors.write(wide, w, Map.of());
    assertEquals("nrj grad: " + wide + ": tensor 'classifier.bias' has shape [4], network 'tiny' needs [3]\n",
        grad(wide, input("ok.safetensors", Tensor.i64(new long[] {2}, new long[] {2, 0})), dir.resolve("g.safetensors")).err());
  }

  @Test
  void aMisnamedTensorListsTheNamesTheNetworkExpects() {
    LinkedHashMap<String, Tensor> w = new LinkedHashMap<>();
    for (var e : Safetensors.read(weights).tensors().entrySet()) {
      w.put(e.getKey().equals("features.2.conv.weight") ? "features.1.conv.weight" : e.getKey(), e.getValue());
    }
    Path misnamed = dir.resolve("misnamed.safetensors");
    Safetensors.write(misnamed, w, Map.of());
    CliRun r = grad(misnamed, input("in.safetensors", Tensor.i64(new long[] {2}, new long[] {2, 0})), dir.resolve("g.safetensors"));
    assertEquals(1, r.code());
    assertEquals("nrj grad: " + misnamed + ": tensor 'features.1.conv.weight' is not in network 'tiny'; its tensors missing"
        + " from the file are: features.2.conv.weight\n", r.err());
  }

  @Test
  void identicalRunsInSeparateProcessesWriteIdenticalBytes() throws Exception {
    // Separate JVMs: the metadata was a Map.of, whose order is salted per JVM instance.
    Path in = input("det.safetensors", Tensor.i64(new long[] {2}, new long[] {2, 0}));
    byte[] first = null;
    for (int i = 0; i < 3; i++) {
      Path out = dir.resolve("det-" + i + ".safetensors");
      CliRun r = NrjProcess.run(dir, "grad-" + i, "grad", spec.toString(), "--weights", weights.toString(), "--input",
          in.toString(), "--out", out.toString());
      assertEquals(0, r.code(), r.err());
      assertEquals(List.of("network", "loss"), List.copyOf(Safetensors.read(out).metadata().keySet()));
      byte[] bytes = Files.readAllBytes(out);
      if (first == null) first = bytes;
      assertArrayEquals(first, bytes, "run " + i);
    }
  }
}
