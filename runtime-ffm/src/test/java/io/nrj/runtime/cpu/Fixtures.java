package io.nrj.runtime.cpu;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal test-scope reader of the F64 safetensors fixture (until the project's reader lands):
 * tensor name to (shape, values as double).
 */
final class Fixtures {
  record T(int[] shape, double[] data) {
    float[] f() {
      float[] r = new float[data.length];
      for (int i = 0; i < r.length; i++) r[i] = (float) data[i];
      return r;
    }
  }

  private static final Pattern ENTRY = Pattern.compile(
      "\"([^\"]+)\":\\{\"dtype\":\"F64\",\"shape\":\\[([0-9,]*)\\],\"data_offsets\":\\[(\\d+),(\\d+)\\]\\}");

  static Map<String, T> load(String resource) throws IOException {
    byte[] all;
    try (InputStream in = Fixtures.class.getResourceAsStream(resource)) {
      if (in == null) throw new IOException("missing test resource " + resource);
      all = in.readAllBytes();
    }
    ByteBuffer bb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
    int headerLen = (int) bb.getLong(0);
    String header = new String(all, 8, headerLen, java.nio.charset.StandardCharsets.UTF_8);
    Map<String, T> out = new HashMap<>();
    Matcher m = ENTRY.matcher(header);
    while (m.find()) {
      String[] dims = m.group(2).isEmpty() ? new String[0] : m.group(2).split(",");
      int[] shape = new int[dims.length];
      for (int i = 0; i < dims.length; i++) shape[i] = Integer.parseInt(dims[i]);
      int from = Integer.parseInt(m.group(3)), to = Integer.parseInt(m.group(4));
      double[] d = new double[(to - from) / 8];
      for (int i = 0; i < d.length; i++) d[i] = bb.getDouble(8 + headerLen + from + 8 * i);
      out.put(m.group(1), new T(shape, d));
    }
    return out;
  }

  private Fixtures() {}
}
