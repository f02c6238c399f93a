package io.nrj.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.runtime.HostTensor;
import io.nrj.runtime.checkpoint.Checkpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nrj train}, {@code eval}, {@code export} and {@code bench} end to end on a tiny spec and data set. */
class TrainCommandTest {
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
        lr_steps 1 gamma 0.1
      }

      train tiny with quick
      """;

  @TempDir static Path dir;
  static Path spec;
  static Path data;

  @BeforeAll
  static void setUp() throws IOException {
    spec = dir.resolve("tiny.nr");
    Files.writeString(spec, SPEC);
    data = TinyMnist.write(dir.resolve("data"), 96, 50);
  }

  record Run(int code, String out, String err) {}

  static Run nrj(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static void assertSameTensors(Map<String, HostTensor> a, Map<String, HostTensor> b) {
    assertEquals(List.copyOf(a.keySet()), List.copyOf(b.keySet()));
    for (var e : a.entrySet()) assertArrayEquals(e.getValue().data(), b.get(e.getKey()).data(), e.getKey());
  }

  @Test
  void trainsWritesMetricsAndCheckpointAndResumesBitIdentically() throws IOException {
    Path full = dir.resolve("full");
    Run r = nrj("train", spec.toString(), "--data", data.toString(), "--device", "cpu", "--seed", "3", "--out", full.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("epoch 2/2"), r.out());
    assertEquals(3, Files.readAllLines(full.resolve("metrics.csv")).size());
    Checkpoint straight = Checkpoint.read(full.resolve("checkpoint.safetensors"));
    assertEquals(2, straight.epoch());
    assertEquals("tiny", straight.network());

    Path half = dir.resolve("half");
    r = nrj("train", spec.toString(), "--data", data.toString(), "--device", "cpu", "--seed", "3", "--epochs", "1", "--out", half.toString());
    assertEquals(0, r.code(), r.err());
    Path resumed = dir.resolve("resumed");
    r = nrj("train", spec.toString(), "--data", data.toString(), "--device", "cpu", "--out", resumed.toString(), "--epochs", "2",
        "--resume", half.resolve("checkpoint.safetensors").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("resuming at epoch 2"), r.out());
    Checkpoint after = Checkpoint.read(resumed.resolve("checkpoint.safetensors"));
    assertSameTensors(straight.model().asMap(), after.model().asMap());
    assertSameTensors(straight.momentum().asMap(), after.momentum().asMap());
  }

  @Test
  void aResumedCheckpointRecordsTheRunsPlannedEpochsNotTheSchedules() throws IOException {
    Path first = dir.resolve("planned");
    assertEquals(0, nrj("train", spec.toString(), "--data", data.toString(), "--device", "cpu", "--interpreted", "--out",
        first.toString()).code());
    Path ckpt = first.resolve("checkpoint.safetensors");
    assertEquals("2", Checkpoint.read(ckpt).extra().get("epochs"));
    Run r = nrj("train", spec.toString(), "--data", data.toString(), "--device", "cpu", "--interpreted", "--epochs", "3",
        "--resume", ckpt.toString(), "--out", first.toString());
    assertEquals(0, r.code(), r.err());
    Checkpoint after = Checkpoint.read(ckpt);
    assertEquals(3, after.epoch());
    assertEquals("3", after.extra().get("epochs")); // was "2", the schedule's
    // So a second resume to the same length has nothing left to do (it used to extend the run again).
    r = nrj("train", spec.toString(), "--data", data.toString(), "--device", "cpu", "--interpreted", "--epochs", "3",
        "--resume", ckpt.toString(), "--out", first.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(3, Checkpoint.read(ckpt).epoch());
  }

  @Test
  void evalReportsLossAndAccuracyOfACheckpoint() throws IOException {
    Path out = dir.resolve("for-eval");
    assertEquals(0, nrj("train", spec.toString(), "--data", data.toString(), "--device", "cpu", "--out", out.toString()).code());
    Run r = nrj("eval", "--checkpoint", out.resolve("checkpoint.safetensors").toString(), "--data", data.toString(), "--device", "cpu");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().matches("(?s)tiny epoch 2 on 50 test images of .*: loss \\d+\\.\\d{4}  top1 \\d+\\.\\d\\d%  top5 100\\.00%\\n"), r.out());
    // eval agrees with the last epoch's evaluation in metrics.csv
    String last = Files.readAllLines(out.resolve("metrics.csv")).get(2);
    String top1 = last.split(",")[7];
    assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "top1 %.2f%%", 100 * Double.parseDouble(top1))), r.out() + " vs " + last);
  }

  @Test
  void benchPrintsOneJsonLine() {
    Run r = nrj("bench", spec.toString(), "--network", "tiny", "--device", "cpu", "--batch", "8", "--steps", "2", "--json");
    assertEquals(0, r.code(), r.err());
    assertTrue(
        r.out().matches("\\{\"network\":\"tiny\",\"device\":\"cpu\",\"mode\":\"training\",\"precision\":\"fp32\",\"graphs\":false,\"batch\":8,\"steps\":2,\"img_per_s\":[0-9.]+,"
            + "\"ms_per_step\":[0-9.]+,\"peak_bytes\":\\d+,\"params\":\\d+}\\n"), r.out());
    r = nrj("bench", spec.toString(), "--network", "tiny", "--device", "cpu", "--batch", "8", "--steps", "2", "--inference");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("tiny inference on cpu, batch 8, 2 steps after 3 warm-up: "), r.out());
  }

  /** The synopsis picocli prints from the option definitions (so it cannot disagree with them). */
  static final String TRAIN_SYNOPSIS =
      """
      usage: nrj train [-hV] [--network=N] [--schedule=S] --data=PATH|mnist [--device=auto|cpu|cuda]
                       [--precision=fp32|tf32] [--epochs=E] [--batch=B] [--seed=S] [--out=DIR]
                       [--resume=CKPT] [--cuda-graphs] [--progress-every=SECONDS] [--interpreted] FILE
      'nrj train --help' lists every option
      """;

  @Test
  void usageErrorsExitWithTwo() {
    Run r = nrj("train", spec.toString());
    assertEquals(2, r.code());
    assertEquals("nrj train: 'nrj train' needs --data\n" + TRAIN_SYNOPSIS, r.err());
    r = nrj("train", spec.toString(), "--data", "mnist", "--epochz", "3");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("nrj train: unknown option '--epochz' for 'nrj train'; did you mean '--epochs'?\n"), r.err());
    r = nrj("bench", spec.toString(), "--steps", "0");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("nrj bench: --steps must be a positive integer, got '0'\n"), r.err());
    r = nrj("train", spec.toString(), "--data", data.toString(), "--precision", "fp16");
    assertEquals(2, r.code());
    assertEquals("nrj train: --precision must be fp32 or tf32, got 'fp16'\n" + TRAIN_SYNOPSIS, r.err());
    r = nrj("bench", spec.toString(), "--precision", "bf16");
    assertTrue(r.err().startsWith("nrj bench: --precision must be fp32 or tf32, got 'bf16'\n"), r.err());
    assertEquals(2, r.code());
  }

  @Test
  void precisionOptionIsAcceptedAndTheCpuIgnoresIt() {
    // TF32 only changes what cuDNN and cuBLAS may do; the CPU backend computes in FP32 either way.
    Run r = nrj("bench", spec.toString(), "--network", "tiny", "--device", "cpu", "--precision", "tf32", "--batch", "4",
        "--steps", "1", "--json", "--cuda-graphs");
    assertEquals(0, r.code(), r.err());
    // the CPU cannot record steps: they run eagerly, and the line says so
    assertTrue(r.out().startsWith("{\"network\":\"tiny\",\"device\":\"cpu\",\"mode\":\"training\",\"precision\":\"fp32\",\"graphs\":false,"), r.out());
  }

  @Test
  void userErrorsExitWithOneAndNoStackTrace() throws IOException {
    Run r = nrj("train", dir.resolve("missing.nr").toString(), "--data", "mnist");
    assertEquals(1, r.code());
    assertEquals("nrj train: " + dir.resolve("missing.nr") + ": no such file\n", r.err());

    r = nrj("train", spec.toString(), "--data", dir.resolve("nowhere").toString(), "--device", "cpu");
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("nrj train: " + dir.resolve("nowhere") + ": "), r.err());

    r = nrj("train", spec.toString(), "--data", data.toString(), "--device", "cuda");
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("nrj train: "), r.err());

    Path bad = dir.resolve("bad.safetensors");
    Files.writeString(bad, "not a checkpoint");
    r = nrj("eval", "--checkpoint", bad.toString(), "--data", data.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("nrj eval: " + bad + ": "), r.err());
    assertTrue(!r.err().contains("\tat "), r.err());

    r = nrj("train", spec.toString(), "--network", "nope", "--data", data.toString());
    assertEquals(1, r.code());
    assertEquals("nrj train: " + spec + " has no network 'nope'; it defines tiny\n", r.err());
  }

  @Test
  void rejectsDataOfAnotherShape() throws IOException {
    Path other = dir.resolve("other.nr");
    Files.writeString(other, SPEC.replace("input 1x28x28", "input 3x32x32"));
    Run r = nrj("train", other.toString(), "--data", data.toString(), "--device", "cpu", "--out", dir.resolve("o").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("gives 1x28x28 images after augmentation; network 'tiny' expects 3x32x32"), r.err());
  }

  @Test
  void generatedAndInterpretedNetworksTrainToBitIdenticalWeights() {
    Path gen = dir.resolve("gen");
    Path interp = dir.resolve("interp");
    assertEquals(0, nrj("train", spec.toString(), "--data", data.toString(), "--device", "cpu", "--epochs", "1", "--out", gen.toString()).code());
    Run r = nrj("train", spec.toString(), "--data", data.toString(), "--device", "cpu", "--epochs", "1", "--interpreted", "--out", interp.toString());
    assertEquals(0, r.code(), r.err());
    assertSameTensors(
        Checkpoint.read(gen.resolve("checkpoint.safetensors")).model().asMap(),
        Checkpoint.read(interp.resolve("checkpoint.safetensors")).model().asMap());
  }

  @Test
  void gradWritesLogitsLossAndEveryParameterGradient() throws IOException {
    io.nrj.dsl.ir.NetworkIr ir = CommandSupport.select(CommandSupport.compile(spec), null, null).network();
    try (var backend = new io.nrj.runtime.cpu.CpuBackend(); // the configuration nrj grad uses: same sums, same bits
        var net = new io.nrj.runtime.model.GraphNetwork(backend, ir, 5)) {
      java.util.LinkedHashMap<String, io.nrj.runtime.io.Safetensors.Tensor> w = new java.util.LinkedHashMap<>();
      for (var e : net.exportParams().asMap().entrySet()) {
        if (!e.getKey().endsWith("num_batches_tracked")) w.put(e.getKey(), io.nrj.runtime.io.Safetensors.Tensor.of(e.getValue()));
      }
      io.nrj.runtime.io.Safetensors.write(dir.resolve("w.safetensors"), w, Map.of());
      float[] x = new float[2 * 784];
      for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i * 0.37);
      java.util.LinkedHashMap<String, io.nrj.runtime.io.Safetensors.Tensor> in = new java.util.LinkedHashMap<>();
      in.put("x", io.nrj.runtime.io.Safetensors.Tensor.f32(new int[] {2, 1, 28, 28}, x));
      in.put("labels", io.nrj.runtime.io.Safetensors.Tensor.i64(new long[] {2}, new long[] {2, 0}));
      io.nrj.runtime.io.Safetensors.write(dir.resolve("x.safetensors"), in, Map.of());

      Run r = nrj("grad", spec.toString(), "--network", "tiny", "--weights", dir.resolve("w.safetensors").toString(),
          "--input", dir.resolve("x.safetensors").toString(), "--out", dir.resolve("g.safetensors").toString());
      assertEquals(0, r.code(), r.err());
      var g = io.nrj.runtime.io.Safetensors.read(dir.resolve("g.safetensors")).tensors();

      // The same step in process: the file must hold exactly these values under the weights' names.
      backend.upload(net.input(2), x);
      net.forward(2, true);
      double loss = net.loss(new int[] {2, 0});
      net.backward();
      assertArrayEquals(new int[] {2, 3}, g.get("logits").intShape());
      assertArrayEquals(net.logits(), g.get("logits").toFloats());
      assertEquals((float) loss, g.get("loss").toFloats()[0]);
      List<String> expected = new java.util.ArrayList<>(List.of("logits", "loss"));
      for (var p : net.parameters().all()) {
        if (p.grad() == null) continue;
        expected.add(p.name());
        assertArrayEquals(backend.download(p.grad()), g.get(p.name()).toFloats(), p.name());
      }
      assertEquals(expected, List.copyOf(g.keySet()));
    }
    Run bad = nrj("grad", spec.toString(), "--weights", dir.resolve("x.safetensors").toString(),
        "--input", dir.resolve("x.safetensors").toString(), "--out", dir.resolve("g2.safetensors").toString());
    assertEquals(1, bad.code());
    assertEquals("nrj grad: " + dir.resolve("x.safetensors") + ": tensor 'x' is not in network 'tiny'; its tensors missing"
        + " from the file are: features.0.conv.weight, features.0.bn.weight, features.0.bn.bias, features.0.bn.running_mean,"
        + " features.0.bn.running_var, features.2.conv.weight, features.2.bn.weight, features.2.bn.bias,"
        + " features.2.bn.running_mean, features.2.bn.running_var, classifier.weight, classifier.bias\n", bad.err());
  }

  @Test
  void aDataFileWithAWrongMagicNumberIsANamedUserError() throws IOException {
    Path broken = TinyMnist.write(dir.resolve("broken"), 16, 8);
    Path images = broken.resolve("train-images-idx3-ubyte");
    byte[] bytes = Files.readAllBytes(images);
    bytes[3] = 0x02; // 2051 -> 2050
    Files.write(images, bytes);
    Run r = nrj("train", spec.toString(), "--data", broken.toString(), "--device", "cpu", "--out", dir.resolve("b").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("nrj train: " + images + ": "), r.err());
    assertTrue(!r.err().contains("\tat "), r.err());
    assertTrue(!Files.exists(dir.resolve("b").resolve("checkpoint.safetensors")));
  }

  @Test
  void aMissingCheckpointIsNoSuchFileNotACorruptOne() {
    Path missing = dir.resolve("nowhere.safetensors");
    Run r = nrj("eval", "--checkpoint", missing.toString(), "--data", data.toString(), "--device", "cpu");
    assertEquals(1, r.code());
    assertEquals("nrj eval: " + missing + ": no such file\n", r.err());
    r = nrj("train", spec.toString(), "--data", data.toString(), "--device", "cpu", "--resume", missing.toString(),
        "--out", dir.resolve("never").toString());
    assertEquals(1, r.code());
    assertEquals("nrj train: " + missing + ": no such file\n", r.err());
  }

  @Test
  void aNormalizeThatDoesNotFitTheImagesNamesTheScheduleInTheSpec() throws IOException {
    Path three = dir.resolve("three.nr");
    Files.writeString(three, SPEC.replace("  lr_steps 1 gamma 0.1\n", "  lr_steps 1 gamma 0.1\n  normalize mean 0.5 0.5 0.5 std 0.2 0.2 0.2\n"));
    Run r = nrj("train", three.toString(), "--data", data.toString(), "--device", "cpu", "--out", dir.resolve("n").toString());
    assertEquals(1, r.code());
    assertEquals(
        "nrj train: " + three + ":10:10: schedule 'quick': normalize mean has 3 values but the images of MNIST at " + data
            + " have 1 channel\n",
        r.err());
    assertTrue(!Files.exists(dir.resolve("n")), "nothing written");
  }

  @Test
  void benchOnTheCpuDoesNotSpeakOfADevice() {
    Run r = nrj("bench", spec.toString(), "--device", "cpu", "--batch", "4", "--steps", "1", "--warmup", "0");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().matches("tiny training on cpu, batch 4, 1 steps after 0 warm-up: .* MiB of tensors in memory\n"), r.out());
  }

  @Test
  void benchTraceReportsEveryWindowOfStepsWarmUpIncluded() {
    Run r = nrj("bench", spec.toString(), "--device", "cpu", "--batch", "4", "--steps", "3", "--warmup", "2", "--trace", "2");
    assertEquals(0, r.code(), r.err());
    List<String> lines = r.err().lines().toList();
    assertEquals(2, lines.size(), r.err()); // steps 0-1 (all warm-up), 2-3; step 4 ends no window
    assertTrue(lines.get(0).matches("steps 0-1 \\(warm-up\\): \\d+\\.\\d\\d ms/step"), lines.get(0));
    assertTrue(lines.get(1).matches("steps 2-3: \\d+\\.\\d\\d ms/step"), lines.get(1));
    Run zero = nrj("bench", spec.toString(), "--device", "cpu", "--steps", "1", "--trace", "0");
    assertEquals(2, zero.code());
    assertTrue(zero.err().startsWith("nrj bench: --trace must be"), zero.err());
  }

  @Test
  void aCudaDeviceThatCannotStartListsEachProblemOnItsOwnLine() {
    org.junit.jupiter.api.Assumptions.assumeFalse(io.nrj.runtime.cuda.CudaProbe.probe().usable(), "CUDA works here");
    Run r = nrj("train", spec.toString(), "--data", data.toString(), "--device", "cuda", "--out", dir.resolve("c").toString());
    assertEquals(1, r.code());
    List<String> lines = r.err().lines().toList();
    assertEquals("nrj train: --device cuda: CUDA unavailable:", lines.getFirst(), r.err());
    assertTrue(lines.size() >= 3, r.err());
    for (String l : lines.subList(1, lines.size())) assertTrue(l.startsWith("  ") && l.length() < 400, l);
    assertTrue(lines.getLast().contains("nrj devices"), r.err());
  }
}
