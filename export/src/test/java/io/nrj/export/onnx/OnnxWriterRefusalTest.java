package io.nrj.export.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.nrj.export.ExportException;
import io.nrj.export.FreshNetwork;
import io.nrj.export.InferenceGraph;
import io.nrj.export.InferenceGraphBuilder;
import org.junit.jupiter.api.Test;

/** Networks the ONNX writer refuses with a named error instead of writing a model ONNX Runtime rejects. */
class OnnxWriterRefusalTest {
  /**
   * Weights that do not fit one ONNX file (protobuf's 2 GB message limit; nrj writes no external
   * data) are refused while the model is built. The limit is lowered so a small network exceeds it.
   */
  @Test
  void weightsBeyondTheLimitAreRefused() {
    InferenceGraph g =
        InferenceGraphBuilder.build(
            FreshNetwork.of("wide", """
                network wide {
                  input 3x8x8
                  classes 10
                  conv 64 k3 input
                  conv 64 k3
                  classifier
                }
                """));
    OnnxWriter.Options o = new OnnxWriter.Options(true, false);
    OnnxWriter.model(g, o, 200_000); // 64·3·9 + 64·64·9 + 10·64 floats and biases: about 170 KB
    ExportException e = assertThrows(ExportException.class, () -> OnnxWriter.model(g, o, 100_000));
    assertEquals(
        "wide.safetensors: the network's weights (over 100,000 bytes) do not fit one ONNX file (protobuf's 2 GB"
            + " limit), and nrj does not write ONNX external data",
        e.getMessage());
  }

  /** ONNX allows one producer per value name; a layer named like a model output would be a second. */
  @Test
  void layerNamedLikeAnOutputIsRefused() {
    InferenceGraph g =
        InferenceGraphBuilder.build(
            FreshNetwork.of("clash", """
                network clash {
                  input 1x8x8
                  classes 2
                  logits: conv 4 k3 input
                  classifier
                }
                """));
    ExportException e =
        assertThrows(ExportException.class, () -> OnnxWriter.model(g, new OnnxWriter.Options(true, false)));
    assertEquals(
        "clash.safetensors: a layer's name clashes with the ONNX value 'logits' (the model's inputs and outputs are"
            + " 'image', 'logits', 'survivor_logits' and 'new_logits'); rename the layer in the .nr source to export"
            + " for ONNX",
        e.getMessage());
  }
}
