package io.nrj.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/** Runs an ONNX model with ONNX Runtime for Java (CPU) on one float32 input. */
final class OnnxRuntime {
  private OnnxRuntime() {}

  /**
   * Every output of {@code model} for {@code input} of shape {@code dims}, flattened row-major.
   *
   * @throws OrtException when ONNX Runtime rejects the model or the input
   */
  static Map<String, float[]> run(byte[] model, String inputName, float[] input, long... dims) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      try (OrtSession session = env.createSession(model, options);
          OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), dims);
          OrtSession.Result result = session.run(Map.of(inputName, x))) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, OnnxValue> e : result) {
          FloatBuffer b = ((OnnxTensor) e.getValue()).getFloatBuffer();
          float[] v = new float[b.remaining()];
          b.get(v);
          out.put(e.getKey(), v);
        }
        return out;
      }
    }
  }
}
