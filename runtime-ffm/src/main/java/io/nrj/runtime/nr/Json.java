package io.nrj.runtime.nr;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal JSON reader and string quoting for the engine's own small documents (NR state,
 * rejuvenation report). Objects become {@code LinkedHashMap<String, Object>}, arrays {@code
 * List<Object>}, numbers {@code Double} (or {@code Long} when written without fraction or exponent),
 * plus {@code String}, {@code Boolean} and null. It is deliberately not a general JSON library: no
 * streaming, no unicode surrogate checks.
 */
final class Json {
  private final String s;
  private int i;

  private Json(String s) {
    this.s = s;
  }

  /** Parses one JSON value; {@code what} names the document in error messages. */
  static Object parse(String text, String what) {
    Json p = new Json(text);
    try {
      Object v = p.value();
      p.ws();
      if (p.i != p.s.length()) throw p.error("trailing characters");
      return v;
    } catch (IndexOutOfBoundsException e) {
      throw new IllegalArgumentException(what + ": unexpected end of JSON");
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage());
    }
  }

  static String quote(String v) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : v.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        default -> {
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    return b.append('"').toString();
  }

  /** A double that reads back bit-identically (Double.toString is the shortest exact form). */
  static String number(double v) {
    if (!Double.isFinite(v)) throw new IllegalArgumentException("JSON cannot hold " + v);
    return Double.toString(v);
  }

  private IllegalStateException error(String msg) {
    return new IllegalStateException(msg + " at offset " + i);
  }

  private void ws() {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
  }

  private Object value() {
    ws();
    char c = s.charAt(i);
    return switch (c) {
      case '{' -> object();
      case '[' -> array();
      case '"' -> string();
      case 't' -> literal("true", Boolean.TRUE);
      case 'f' -> literal("false", Boolean.FALSE);
      case 'n' -> literal("null", null);
      default -> number();
    };
  }

  private Object literal(String word, Object v) {
    if (!s.startsWith(word, i)) throw error("unexpected character '" + s.charAt(i) + "'");
    i += word.length();
    return v;
  }

  private Map<String, Object> object() {
    Map<String, Object> m = new LinkedHashMap<>();
    i++;
    ws();
    if (s.charAt(i) == '}') {
      i++;
      return m;
    }
    while (true) {
      ws();
      if (s.charAt(i) != '"') throw error("expected a key");
      String k = string();
      ws();
      if (s.charAt(i++) != ':') throw error("expected ':'");
      m.put(k, value());
      ws();
      char c = s.charAt(i++);
      if (c == '}') return m;
      if (c != ',') throw error("expected ',' or '}'");
    }
  }

  private List<Object> array() {
    List<Object> l = new ArrayList<>();
    i++;
    ws();
    if (s.charAt(i) == ']') {
      i++;
      return l;
    }
    while (true) {
      l.add(value());
      ws();
      char c = s.charAt(i++);
      if (c == ']') return l;
      if (c != ',') throw error("expected ',' or ']'");
    }
  }

  private String string() {
    StringBuilder b = new StringBuilder();
    i++;
    while (true) {
      char c = s.charAt(i++);
      if (c == '"') return b.toString();
      if (c != '\\') {
        b.append(c);
        continue;
      }
      char e = s.charAt(i++);
      switch (e) {
        case 'n' -> b.append('\n');
        case 't' -> b.append('\t');
        case 'r' -> b.append('\r');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'u' -> {
          b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
          i += 4;
        }
        default -> b.append(e);
      }
    }
  }

  private Object number() {
    int start = i;
    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
    String t = s.substring(start, i);
    if (t.isEmpty()) throw error("unexpected character '" + s.charAt(i) + "'");
    try {
      if (t.matches("-?\\d+")) return Long.parseLong(t);
      return Double.parseDouble(t);
    } catch (NumberFormatException e) {
      throw error("bad number '" + t + "'");
    }
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
