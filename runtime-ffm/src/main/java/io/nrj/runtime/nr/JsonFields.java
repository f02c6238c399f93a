package io.nrj.runtime.nr;

import com.fasterxml.jackson.databind.JsonNode;
import io.nrj.runtime.io.JsonCodec;

/**
 * Typed access to the engine's own small JSON documents (NR state) read back from a checkpoint.
 * Errors become {@link IllegalArgumentException}s that name the document and the key.
 */
final class JsonFields {
  private JsonFields() {}

  /** Parses one JSON object; {@code what} names the document in error messages. */
  static JsonNode parseObject(String text, String what) {
    JsonNode n;
    try {
      n = JsonCodec.parse(text);
    } catch (JsonCodec.MalformedJsonException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage());
    }
    return obj(n, what);
  }

  static JsonNode obj(JsonNode v, String what) {
    if (v.isObject()) return v;
    throw new IllegalArgumentException(what + ": expected a JSON object");
  }

  static JsonNode field(JsonNode m, String key, String what) {
    JsonNode v = m.get(key);
    if (v == null) throw new IllegalArgumentException(what + ": missing key '" + key + "'");
    return v;
  }

  /** A finite number. */
  static double num(JsonNode m, String key, String what) {
    JsonNode v = field(m, key, what);
    if (v.isNumber() && Double.isFinite(v.doubleValue())) return v.doubleValue();
    throw new IllegalArgumentException(what + ": '" + key + "' must be a finite number");
  }

  /** An integer in {@code [min, max]}. */
  static int integer(JsonNode m, String key, int min, int max, String what) {
    JsonNode v = field(m, key, what);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new IllegalArgumentException(what + ": '" + key + "' must be an integer");
    }
    int n = v.intValue();
    if (n < min || n > max) {
      throw new IllegalArgumentException(what + ": '" + key + "' is " + n + ", outside " + min + " to " + max);
    }
    return n;
  }

  static boolean bool(JsonNode m, String key, String what) {
    JsonNode v = field(m, key, what);
    if (v.isBoolean()) return v.booleanValue();
    throw new IllegalArgumentException(what + ": '" + key + "' must be true or false");
  }

  static String str(JsonNode m, String key, String what) {
    JsonNode v = field(m, key, what);
    if (v.isTextual()) return v.textValue();
    throw new IllegalArgumentException(what + ": '" + key + "' must be a string");
  }

  static JsonNode list(JsonNode m, String key, String what) {
    JsonNode v = field(m, key, what);
    if (v.isArray()) return v;
    throw new IllegalArgumentException(what + ": '" + key + "' must be an array");
  }

  /** An array of integers, each in {@code [min, max]}. */
  static int[] ints(JsonNode m, String key, int min, int max, String what) {
    JsonNode l = list(m, key, what);
    int[] r = new int[l.size()];
    for (int k = 0; k < r.length; k++) {
      JsonNode n = l.get(k);
      if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < min || n.intValue() > max) {
        throw new IllegalArgumentException(what + ": '" + key + "' must hold integers from " + min + " to " + max);
      }
      r[k] = n.intValue();
    }
    return r;
  }
}
