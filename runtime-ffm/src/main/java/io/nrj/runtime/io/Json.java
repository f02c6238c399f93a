package io.nrj.runtime.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal JSON reader and writer (RFC 8259) for safetensors headers, checkpoint metadata and
 * reports, so that nrj needs no JSON library.
 *
 * <p>Values map to Java as: object → {@link LinkedHashMap} (key order kept), array → {@link List},
 * string → {@link String}, integer without fraction or exponent → {@link Long}, other number →
 * {@link Double}, {@code true}/{@code false} → {@link Boolean}, {@code null} → {@code null}.
 *
 * <p>Deliberately not a general library: no streaming, no data binding, and duplicate object keys
 * are an error (a safetensors header with two tensors of the same name is corrupt).
 */
public final class Json {
  private Json() {}

  /** Malformed JSON; {@link #offset()} is the 0-based character position of the problem. */
  public static final class JsonException extends RuntimeException {
    private final int offset;

    JsonException(String message, int offset) {
      super(message + " at offset " + offset);
      this.offset = offset;
    }

    public int offset() {
      return offset;
    }
  }

  /** Parses one JSON value; only whitespace may follow it. */
  public static Object parse(String text) {
    Reader r = new Reader(text);
    r.skipWs();
    Object v = r.value();
    r.skipWs();
    if (r.pos < text.length()) throw new JsonException("unexpected trailing character", r.pos);
    return v;
  }

  /** Writes a value of the types listed in the class comment (also any Number, int[], long[]) compactly. */
  public static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value);
    return sb.toString();
  }

  /** Quotes and escapes a string as a JSON string literal. */
  public static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2);
    writeString(sb, s);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object v) {
    switch (v) {
      case null -> sb.append("null");
      case String s -> writeString(sb, s);
      case Boolean b -> sb.append(b);
      case Double d -> sb.append(finite(d));
      case Float f -> sb.append(finite(f.doubleValue()));
      case Number n -> sb.append(n.longValue());
      case int[] a -> {
        List<Object> l = new ArrayList<>();
        for (int x : a) l.add(x);
        write(sb, l);
      }
      case long[] a -> {
        List<Object> l = new ArrayList<>();
        for (long x : a) l.add(x);
        write(sb, l);
      }
      case Map<?, ?> m -> {
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
          if (!first) sb.append(',');
          first = false;
          writeString(sb, String.valueOf(e.getKey()));
          sb.append(':');
          write(sb, e.getValue());
        }
        sb.append('}');
      }
      case Iterable<?> it -> {
        sb.append('[');
        boolean first = true;
        for (Object o : it) {
          if (!first) sb.append(',');
          first = false;
          write(sb, o);
        }
        sb.append(']');
      }
      default -> throw new IllegalArgumentException("cannot write " + v.getClass() + " as JSON");
    }
  }

  private static String finite(double d) {
    if (!Double.isFinite(d)) throw new IllegalArgumentException("JSON has no " + d);
    return Double.toString(d);
  }

  private static void writeString(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    sb.append('"');
  }

  /** Recursive-descent parser over the whole text. */
  private static final class Reader {
    private final String s;
    private int pos;
    private int depth;

    Reader(String s) {
      this.s = s;
    }

    void skipWs() {
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') pos++;
        else break;
      }
    }

    Object value() {
      if (pos >= s.length()) throw new JsonException("unexpected end of input", pos);
      char c = s.charAt(pos);
      return switch (c) {
        case '{' -> object();
        case '[' -> array();
        case '"' -> string();
        case 't' -> literal("true", Boolean.TRUE);
        case 'f' -> literal("false", Boolean.FALSE);
        case 'n' -> literal("null", null);
        default -> {
          if (c == '-' || (c >= '0' && c <= '9')) yield number();
          throw new JsonException("unexpected character '" + c + "'", pos);
        }
      };
    }

    private Object literal(String word, Object v) {
      if (!s.startsWith(word, pos)) throw new JsonException("invalid literal", pos);
      pos += word.length();
      return v;
    }

    private Map<String, Object> object() {
      enter();
      pos++; // '{'
      LinkedHashMap<String, Object> m = new LinkedHashMap<>();
      skipWs();
      if (peek() == '}') {
        pos++;
        depth--;
        return m;
      }
      while (true) {
        skipWs();
        if (peek() != '"') throw new JsonException("expected a string key", pos);
        int keyPos = pos;
        String key = string();
        skipWs();
        expect(':');
        skipWs();
        Object v = value();
        if (m.containsKey(key)) throw new JsonException("duplicate key \"" + key + "\"", keyPos);
        m.put(key, v);
        skipWs();
        char c = peek();
        pos++;
        if (c == '}') break;
        if (c != ',') throw new JsonException("expected ',' or '}'", pos - 1);
      }
      depth--;
      return m;
    }

    private List<Object> array() {
      enter();
      pos++; // '['
      List<Object> l = new ArrayList<>();
      skipWs();
      if (peek() == ']') {
        pos++;
        depth--;
        return l;
      }
      while (true) {
        skipWs();
        l.add(value());
        skipWs();
        char c = peek();
        pos++;
        if (c == ']') break;
        if (c != ',') throw new JsonException("expected ',' or ']'", pos - 1);
      }
      depth--;
      return l;
    }

    private void enter() {
      // Bounded nesting keeps a hostile header from overflowing the stack.
      if (++depth > 256) throw new JsonException("nesting deeper than 256", pos);
    }

    private String string() {
      pos++; // opening quote
      StringBuilder sb = new StringBuilder();
      while (true) {
        if (pos >= s.length()) throw new JsonException("unterminated string", pos);
        char c = s.charAt(pos++);
        if (c == '"') return sb.toString();
        if (c < 0x20) throw new JsonException("control character in string", pos - 1);
        if (c != '\\') {
          sb.append(c);
          continue;
        }
        if (pos >= s.length()) throw new JsonException("unterminated string", pos);
        char e = s.charAt(pos++);
        switch (e) {
          case '"', '\\', '/' -> sb.append(e);
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'u' -> {
            if (pos + 4 > s.length()) throw new JsonException("truncated \\u escape", pos);
            try {
              sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
            } catch (NumberFormatException ex) {
              throw new JsonException("invalid \\u escape", pos);
            }
            pos += 4;
          }
          default -> throw new JsonException("invalid escape '\\" + e + "'", pos - 1);
        }
      }
    }

    private Object number() {
      int start = pos;
      if (peek() == '-') pos++;
      int intStart = pos;
      while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
      if (pos == intStart) throw new JsonException("invalid number", start);
      if (s.charAt(intStart) == '0' && pos - intStart > 1) throw new JsonException("leading zero", start);
      boolean integral = true;
      if (pos < s.length() && s.charAt(pos) == '.') {
        integral = false;
        pos++;
        int f = pos;
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
        if (pos == f) throw new JsonException("invalid number", start);
      }
      if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
        integral = false;
        pos++;
        if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) pos++;
        int e = pos;
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
        if (pos == e) throw new JsonException("invalid number", start);
      }
      String t = s.substring(start, pos);
      if (integral) {
        try {
          return Long.parseLong(t);
        } catch (NumberFormatException ex) {
          return Double.parseDouble(t); // beyond long range
        }
      }
      return Double.parseDouble(t);
    }

    private char peek() {
      if (pos >= s.length()) throw new JsonException("unexpected end of input", pos);
      return s.charAt(pos);
    }

    private void expect(char c) {
      if (peek() != c) throw new JsonException("expected '" + c + "'", pos);
      pos++;
    }
  }
}
