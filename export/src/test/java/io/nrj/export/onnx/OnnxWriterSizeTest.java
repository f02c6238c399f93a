package io.nrj.export.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.nrj.export.ExportException;
import io.nrj.export.FreshNetwork;
import io.nrj.export.InferenceGraph;
import io.nrj.export.InferenceGraphBuilder;
import org.junit.jupiter.api.Test;

/**
 * A network whose weights do not fit one ONNX file (protobuf's 2 GB message limit; nrj writes no
 * external data) is refused with a named error while the model is built, never written. The limit
 * is lowered here so that a small network exceeds it.
 */
class OnnxWriterSizeTest {
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
}
