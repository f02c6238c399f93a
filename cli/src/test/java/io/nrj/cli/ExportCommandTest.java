package io.nrj.cli;

import static io.nrj.cli.TrainCommandTest.nrj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.checkpoint.Checkpoint;
import io.nrj.runtime.cpu.CpuBackend;
import io.nrj.runtime.data.DataSets;
import io.nrj.runtime.data.ImageSet;
import io.nrj.runtime.data.RawImage;
import io.nrj.runtime.model.GraphNetwork;
import io.nrj.runtime.train.BatchSource;
import io.nrj.runtime.train.LoaderBatchSource;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nrj export} after {@code nrj train} of a rejuvenating run (cross-attention, normalised
 * input): the ONNX model with the normalisation baked in takes raw test pixels / 255 and gives the
 * logits and the top-1 that {@code nrj eval} gives on the same test split; the PyTorch module is
 * written; a checkpoint that cannot be exported and misused options exit 1 and 2 and write nothing.
 */
class ExportCommandTest {
  static final String SPEC =
      """
      network tiny {
        input 1x28x28
        classes 3
        conv 16 k5 stride 3 input
        maxpool 2
        conv 24 k3
        classifier
      }

      schedule quick_attention {
        epochs 2
        batch 16
        test_batch 25
        sgd lr 0.1 momentum 0.9 weight_decay 5e-4
        lr_steps 1 gamma 0.1
        normalize mean 0.45 std 0.3
        rejuvenate {
          sparsity 0.1
          target 0.6
          measure params
          cross attention
        }
      }

      train tiny with quick_attention
      """;

  @TempDir static Path dir;
  static Path data;
  static Path checkpoint;

  @BeforeAll
  static void train() throws Exception {
    Path spec = dir.resolve("tiny.nr");
    Files.writeString(spec, SPEC);
    data = TinyMnist.write(dir.resolve("data"), 96, 50);
    Path run = dir.resolve("run");
    TrainCommandTest.Run r = nrj("train", spec.toString(), "--data", data.toString(), "--device", "cpu", "--out", run.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("rejuvenation after epoch "), r.out()); // the report table announces it (once)
    checkpoint = run.resolve("checkpoint.safetensors");
  }

  @Test
  void onnxWithNormalizeTakesPixelsAndPredictsAsNrjEval() throws Exception {
    Path model = dir.resolve("tiny.onnx");
    TrainCommandTest.Run r =
        nrj("export", checkpoint.toString(), "--format", "onnx", "--with-normalize", "--out", model.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("input 'image' (N, 1, 28, 28) float32: pixels / 255 (the schedule's normalisation is baked in)"), r.out());
    assertTrue(r.out().contains("output 'logits' (N, 3), and 'survivor_logits', 'new_logits'"), r.out());

    ImageSet test = DataSets.open(data.toString()).test();
    int n = test.size();
    float[] pixels = new float[n * 28 * 28];
    for (int i = 0; i < n; i++) {
      RawImage img = test.image(i);
      for (int j = 0; j < 28 * 28; j++) pixels[i * 784 + j] = (img.pixels()[img.offset() + j] & 0xff) / 255f;
    }
    float[] onnx = runOnnx(Files.readAllBytes(model), pixels, n);
    float[] nrj = nrjLogits(test);
    double scale = 0, worst = 0;
    for (int i = 0; i < nrj.length; i++) {
      scale = Math.max(scale, Math.abs(nrj[i]));
      worst = Math.max(worst, Math.abs(onnx[i] - nrj[i]));
    }
    assertTrue(worst <= 1e-4 * scale, "ONNX Runtime vs nrj: max |diff| " + worst + " at logit scale " + scale);

    int correct = 0;
    for (int i = 0; i < n; i++) if (argmax(onnx, i * 3, 3) == test.label(i)) correct++;
    TrainCommandTest.Run eval = nrj("eval", "--checkpoint", checkpoint.toString(), "--data", data.toString(), "--device", "cpu");
    assertEquals(0, eval.code(), eval.err());
    Matcher m = Pattern.compile("top1 ([0-9.]+)%").matcher(eval.out());
    assertTrue(m.find(), eval.out());
    assertEquals(m.group(1), String.format(java.util.Locale.ROOT, "%.2f", 100.0 * correct / n));
  }

  /** nrj's own eval pipeline: the checkpoint's network, the schedule's normalisation, eval-mode BN. */
  private static float[] nrjLogits(ImageSet test) throws Exception {
    CheckpointModel m = CheckpointModel.read(checkpoint);
    float[] all = new float[test.size() * 3];
    try (CpuBackend backend = new CpuBackend(2, true);
        GraphNetwork net = m.network(backend);
        LoaderBatchSource src = new LoaderBatchSource(test, false, m.schedule().augment(), m.schedule().normalize())) {
      int at = 0;
      for (Iterator<BatchSource.Batch> it = src.batches(25, false, 0, 0); it.hasNext(); ) {
        BatchSource.Batch b = it.next();
        backend.upload(net.input(b.size()), b.images());
        net.forward(b.size(), false);
        float[] l = net.logits();
        System.arraycopy(l, 0, all, at, l.length);
        at += l.length;
      }
    }
    return all;
  }

  private static float[] runOnnx(byte[] model, float[] x, int n) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(model);
        OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {n, 1, 28, 28});
        OrtSession.Result r = s.run(Map.of("image", t))) {
      FloatBuffer b = ((OnnxTensor) r.get("logits").orElseThrow()).getFloatBuffer();
      float[] v = new float[b.remaining()];
      b.get(v);
      return v;
    }
  }

  private static int argmax(float[] v, int from, int k) {
    int best = 0;
    for (int j = 1; j < k; j++) if (v[from + j] > v[from + best]) best = j;
    return best;
  }

  @Test
  void torchWritesTheModule() throws Exception {
    Path py = dir.resolve("tiny_module.py");
    TrainCommandTest.Run r = nrj("export", checkpoint.toString(), "--format", "torch", "--out", py.toString());
    assertEquals(0, r.code(), r.err());
    String src = Files.readString(py);
    assertTrue(src.contains("class Tiny(nn.Module):") && src.contains("def load_nrj_checkpoint(path):"), src);
    assertTrue(src.contains("MEAN = (0.45,)") && src.contains(", gate=("), src); // cross-attention convs are gated
  }

  @Test
  void checkpointThatCannotBeExportedExitsOneAndWritesNothing() throws Exception {
    Checkpoint c = Checkpoint.read(checkpoint);
    HostParams model = c.model().copy().remove("features.2.bn.running_var");
    Path broken = dir.resolve("broken.safetensors");
    new Checkpoint(c.nrSource(), c.network(), c.schedule(), c.widths(), c.epoch(), c.seed(), c.optimizer(), c.nrState(),
            c.extra(), model, new HostParams())
        .write(broken);
    for (String format : new String[] {"onnx", "torch"}) {
      Path out = dir.resolve("broken." + format);
      TrainCommandTest.Run r = nrj("export", broken.toString(), "--format", format, "--out", out.toString());
      assertEquals(1, r.code(), r.out());
      // Refused by the checks eval and train --resume run too (CheckpointFit), before any export code.
      assertEquals(
          "nrj export: " + broken + ": checkpoint does not match network 'tiny': tensor 'features.2.bn.running_var' is missing\n",
          r.err());
      assertFalse(Files.exists(out), format);
    }
  }

  @Test
  void optionsOfAnotherFormatAreUsageErrors() {
    String[][] cases = {
      {"--format", "tflite"}, {"--format", "nr", "--no-fold-bn"}, {"--format", "torch", "--with-normalize"},
      {"--format", "onnx", "--name", "x"}
    };
    String[] messages = {
      "--format must be nr, onnx or torch, got 'tflite'", "--no-fold-bn applies to --format onnx only",
      "--with-normalize applies to --format onnx only", "--name applies to --format nr only"
    };
    for (int i = 0; i < cases.length; i++) {
      String[] args = new String[cases[i].length + 3];
      args[0] = "export";
      args[1] = checkpoint.toString();
      System.arraycopy(cases[i], 0, args, 2, cases[i].length);
      args[args.length - 1] = "--out=" + dir.resolve("never.onnx");
      TrainCommandTest.Run r = nrj(args);
      assertEquals(2, r.code(), String.join(" ", args));
      assertTrue(r.err().startsWith("nrj export: " + messages[i] + "\n"), r.err());
    }
    assertFalse(Files.exists(dir.resolve("never.onnx")));
  }

  @Test
  void missingOutputDirectoryExitsOne() {
    Path out = dir.resolve("no/such/dir/tiny.onnx");
    TrainCommandTest.Run r = nrj("export", checkpoint.toString(), "--format", "onnx", "--out", out.toString());
    assertEquals(1, r.code(), r.out());
    assertEquals("nrj export: " + out.getParent().toAbsolutePath() + ": no such file\n", r.err());
  }
}
