package io.nrj.runtime.cpu;

import io.nrj.runtime.io.Safetensors;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The PyTorch reference fixture, read with the project's safetensors reader: name to (shape, values). */
final class Fixtures {
  record T(int[] shape, double[] data) {
    float[] f() {
      float[] r = new float[data.length];
      for (int i = 0; i < r.length; i++) r[i] = (float) data[i];
      return r;
    }
  }

  static Map<String, T> load(String resource) throws URISyntaxException {
    URL url = Fixtures.class.getResource(resource);
    if (url == null) throw new IllegalStateException("missing test resource " + resource);
    Map<String, T> out = new HashMap<>();
    Safetensors.read(Path.of(url.toURI())).tensors().forEach((name, t) -> out.put(name, new T(t.intShape(), t.toDoubles())));
    return out;
  }

  private Fixtures() {}
}
