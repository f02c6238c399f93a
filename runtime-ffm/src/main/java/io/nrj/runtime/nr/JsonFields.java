package io.nrj.runtime.nr;

import java.util.List;
import java.util.Map;

/**
 * Typed access to the engine's own small JSON documents (NR state), over the project's minimal
 * reader {@link io.nrj.runtime.io.Json}. Errors become {@link IllegalArgumentException}s that name
 * the document and the key.
 */
final class JsonFields {
  private JsonFields() {}

  /** Parses one JSON value; {@code what} names the document in error messages. */
  static Object parse(String text, String what) {
    try {
      return io.nrj.runtime.io.Json.parse(text);
    } catch (io.nrj.runtime.io.Json.JsonException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage());
    }
  }

  static String quote(String v) {
    return io.nrj.runtime.io.Json.quote(v);
  }

  /** A double that reads back bit-identically (Double.toString is the shortest exact form). */
  static String number(double v) {
    if (!Double.isFinite(v)) throw new IllegalArgumentException("JSON cannot hold " + v);
    return Double.toString(v);
  }

  // Typed accessors for documents the engine wrote itself.

  static Map<String, Object> obj(Object v, String what) {
    if (v instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, Object> r = (Map<String, Object>) m;
      return r;
    }
    throw new IllegalArgumentException(what + ": expected a JSON object");
  }

  static Object field(Map<String, Object> m, String key, String what) {
    if (!m.containsKey(key)) throw new IllegalArgumentException(what + ": missing key '" + key + "'");
    return m.get(key);
  }

  static double num(Map<String, Object> m, String key, String what) {
    if (field(m, key, what) instanceof Number n) return n.doubleValue();
    throw new IllegalArgumentException(what + ": '" + key + "' must be a number");
  }

  static int integer(Map<String, Object> m, String key, String what) {
    if (field(m, key, what) instanceof Long n) return Math.toIntExact(n);
    throw new IllegalArgumentException(what + ": '" + key + "' must be an integer");
  }

  static boolean bool(Map<String, Object> m, String key, String what) {
    if (field(m, key, what) instanceof Boolean b) return b;
    throw new IllegalArgumentException(what + ": '" + key + "' must be true or false");
  }

  static String str(Map<String, Object> m, String key, String what) {
    if (field(m, key, what) instanceof String v) return v;
    throw new IllegalArgumentException(what + ": '" + key + "' must be a string");
  }

  static List<Object> list(Map<String, Object> m, String key, String what) {
    if (field(m, key, what) instanceof List<?> l) {
      @SuppressWarnings("unchecked")
      List<Object> r = (List<Object>) l;
      return r;
    }
    throw new IllegalArgumentException(what + ": '" + key + "' must be an array");
  }

  static int[] ints(Map<String, Object> m, String key, String what) {
    List<Object> l = list(m, key, what);
    int[] r = new int[l.size()];
    for (int k = 0; k < r.length; k++) {
      if (!(l.get(k) instanceof Long n)) {
        throw new IllegalArgumentException(what + ": '" + key + "' must hold integers");
      }
      r[k] = Math.toIntExact(n);
    }
    return r;
  }
}
