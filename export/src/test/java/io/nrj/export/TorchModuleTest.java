package io.nrj.export;

import static io.nrj.export.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nrj.dsl.ir.Shape;
import io.nrj.export.TrainedCheckpoints.Net;
import io.nrj.export.TrainedCheckpoints.Stage;
import io.nrj.export.TrainedCheckpoints.Trained;
import io.nrj.export.torch.TorchModuleWriter;
import io.nrj.runtime.io.Safetensors;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * PyTorch loads every real checkpoint of {@link TrainedCheckpoints} into its exported module with
 * {@code load_state_dict(strict=True)} and computes, in eval mode, the logits {@code nrj eval}
 * computes (within 1e-4 of their scale), and the survivor and new logits after rejuvenation. Runs
 * where a Python with torch and safetensors is found ({@link Python}); skips otherwise.
 */
@Timeout(600)
class TorchModuleTest {
  static final int N = 5;

  @Test
  void pytorchLoadsEveryCheckpointStrictlyAndComputesNrjsLogits(@TempDir Path dir) throws Exception {
    assumeTrue(Python.executable() != null, "no python with torch and safetensors (set NRJ_PYTHON)");
    Map<Trained, Path> outs = new LinkedHashMap<>();
    StringBuilder manifest = new StringBuilder();
    for (Net net : Net.values()) {
      for (Stage stage : Stage.values()) {
        Trained t = TrainedCheckpoints.get(net, stage);
        InferenceGraph g = InferenceGraphBuilder.build(t.network());
        String id = net + "_" + stage;
        Path module = dir.resolve(id.toLowerCase() + ".py");
        Files.writeString(module, TorchModuleWriter.source(g));
        Shape in = t.ir().input();
        Path images = dir.resolve(id + "_x.safetensors");
        Safetensors.write(
            images,
            new LinkedHashMap<>(Map.of("x", Safetensors.Tensor.f32(
                new int[] {N, in.channels(), in.height(), in.width()}, TrainedCheckpoints.batch(t.ir(), N, 8)))),
            Map.of());
        Path out = dir.resolve(id + "_logits.safetensors");
        manifest.append(String.join("\t", module.toString(), TorchModuleWriter.className(g.network()), t.file().toString(),
            images.toString(), out.toString())).append('\n');
        outs.put(t, out);
      }
    }
    Path script = dir.resolve("torch_logits.py");
    try (InputStream s = getClass().getResourceAsStream("torch_logits.py")) {
      Files.write(script, s.readAllBytes());
    }
    Path list = dir.resolve("manifest.tsv");
    Files.writeString(list, manifest);
    Python.Result r = Python.run(List.of(Python.executable(), script.toString(), list.toString()), 540);
    assertEquals(0, r.code(), r.output());
    for (Map.Entry<Trained, Path> e : outs.entrySet()) {
      Trained t = e.getKey();
      var got = Safetensors.read(e.getValue()).tensors();
      float[] x = TrainedCheckpoints.batch(t.ir(), N, 8);
      NrjForward nrj = NrjForward.of(t.network(), x, N);
      assertClose(got.get("logits").toFloats(), nrj.logits(), OnnxExportTest.REL, t + " torch logits");
      if (t.stage() == Stage.BEFORE) {
        assertTrue(!got.containsKey("new"), t + ": a network before rejuvenation has one logit set");
      } else {
        assertClose(got.get("survivor").toFloats(), nrj.survivor(), OnnxExportTest.REL, t + " torch survivor logits");
        assertClose(got.get("new").toFloats(), nrj.fresh(), OnnxExportTest.REL, t + " torch new logits");
      }
    }
  }
}
