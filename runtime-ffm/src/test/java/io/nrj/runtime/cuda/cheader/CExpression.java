package io.nrj.runtime.cuda.cheader;

import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Evaluates a C integer constant expression (an {@code #if} condition, an enumerator's value, an
 * object-like macro's body, an array length) in 64-bit signed arithmetic, which is exact for every
 * value the CUDA headers use. Identifiers go to a resolver; casts to integer or pointer types pass
 * the value through. Anything else (a float, a string, a call) is an {@link Unevaluable}.
 */
public final class CExpression {
  private static final Set<String> TYPE_WORDS =
      Set.of(
          "int",
          "unsigned",
          "signed",
          "long",
          "short",
          "char",
          "void",
          "const",
          "struct",
          "enum",
          "size_t");

  /** Thrown for what is not an integer constant expression; the message says what. */
  public static final class Unevaluable extends RuntimeException {
    Unevaluable(String message) {
      super(message);
    }
  }

  private final List<CToken> tokens;
  private final Function<String, Long> identifiers;
  private final Predicate<String> isTypeName;
  private int pos;

  private CExpression(
      List<CToken> tokens, Function<String, Long> identifiers, Predicate<String> isTypeName) {
    this.tokens = tokens;
    this.identifiers = identifiers;
    this.isTypeName = isTypeName;
  }

  /**
   * The value of {@code tokens}; {@code identifiers} gives an identifier's value or null when it
   * has none (then evaluation fails naming it); {@code isTypeName} recognises typedef names in
   * casts.
   */
  public static long evaluate(
      List<CToken> tokens, Function<String, Long> identifiers, Predicate<String> isTypeName) {
    if (tokens.isEmpty()) {
      throw new Unevaluable("empty expression");
    }
    var e = new CExpression(tokens, identifiers, isTypeName);
    long v = e.ternary();
    if (e.pos != tokens.size()) {
      throw new Unevaluable(
          "unexpected '" + tokens.get(e.pos).text() + "' in '" + text(tokens) + "'");
    }
    return v;
  }

  static String text(List<CToken> tokens) {
    return String.join(" ", tokens.stream().map(CToken::text).toList());
  }

  private long ternary() {
    long c = binary(0);
    if (accept("?")) {
      long a = ternary();
      expect(":");
      long b = ternary();
      return c != 0 ? a : b;
    }
    return c;
  }

  private static final List<List<String>> LEVELS =
      List.of(
          List.of("||"),
          List.of("&&"),
          List.of("|"),
          List.of("^"),
          List.of("&"),
          List.of("==", "!="),
          List.of("<", ">", "<=", ">="),
          List.of("<<", ">>"),
          List.of("+", "-"),
          List.of("*", "/", "%"));

  private long binary(int level) {
    if (level == LEVELS.size()) {
      return unary();
    }
    long left = binary(level + 1);
    while (pos < tokens.size() && LEVELS.get(level).contains(peek())) {
      String op = tokens.get(pos++).text();
      long right = binary(level + 1);
      left = apply(op, left, right);
    }
    return left;
  }

  private long apply(String op, long a, long b) {
    return switch (op) {
      case "||" -> (a != 0 || b != 0) ? 1 : 0;
      case "&&" -> (a != 0 && b != 0) ? 1 : 0;
      case "|" -> a | b;
      case "^" -> a ^ b;
      case "&" -> a & b;
      case "==" -> a == b ? 1 : 0;
      case "!=" -> a != b ? 1 : 0;
      case "<" -> a < b ? 1 : 0;
      case ">" -> a > b ? 1 : 0;
      case "<=" -> a <= b ? 1 : 0;
      case ">=" -> a >= b ? 1 : 0;
      case "<<" -> a << b;
      case ">>" -> a >> b;
      case "+" -> a + b;
      case "-" -> a - b;
      case "*" -> a * b;
      case "/", "%" -> {
        if (b == 0) {
          throw new Unevaluable("division by zero");
        }
        yield op.equals("/") ? a / b : a % b;
      }
      default -> throw new Unevaluable("operator " + op);
    };
  }

  private long unary() {
    if (accept("!")) {
      return unary() == 0 ? 1 : 0;
    }
    if (accept("~")) {
      return ~unary();
    }
    if (accept("-")) {
      return -unary();
    }
    if (accept("+")) {
      return unary();
    }
    if (peek().equals("(") && isCast()) {
      while (!accept(")")) {
        pos++;
      }
      return unary();
    }
    return primary();
  }

  /** {@code (int)}, {@code (unsigned long long)}, {@code (cudaStream_t)}, {@code (void *)}. */
  private boolean isCast() {
    int i = pos + 1;
    boolean sawType = false;
    while (i < tokens.size() && !tokens.get(i).is(")")) {
      CToken t = tokens.get(i);
      if (t.isIdentifier() && (TYPE_WORDS.contains(t.text()) || isTypeName.test(t.text()))) {
        sawType = true;
      } else if (!t.is("*")) {
        return false;
      }
      i++;
    }
    return sawType && i < tokens.size() && i + 1 < tokens.size();
  }

  private long primary() {
    if (pos >= tokens.size()) {
      throw new Unevaluable("expression ends early: '" + text(tokens) + "'");
    }
    CToken t = tokens.get(pos++);
    if (t.is("(")) {
      long v = ternary();
      expect(")");
      return v;
    }
    return switch (t.kind()) {
      case NUMBER -> number(t.text());
      case CHAR -> character(t.text());
      case IDENTIFIER -> {
        Long v = identifiers.apply(t.text());
        if (v == null) {
          throw new Unevaluable("'" + t.text() + "' has no known value");
        }
        yield v;
      }
      default -> throw new Unevaluable("'" + t.text() + "' is not an integer constant");
    };
  }

  /** An integer literal: decimal, hex, octal or binary, with any u/l suffix. */
  static long number(String text) {
    String s = text.toLowerCase(java.util.Locale.ROOT);
    while (s.endsWith("u") || s.endsWith("l")) {
      s = s.substring(0, s.length() - 1);
    }
    try {
      if (s.startsWith("0x")) {
        return Long.parseUnsignedLong(s.substring(2), 16);
      }
      if (s.startsWith("0b")) {
        return Long.parseUnsignedLong(s.substring(2), 2);
      }
      if (s.length() > 1 && s.startsWith("0")) {
        return Long.parseUnsignedLong(s.substring(1), 8);
      }
      return Long.parseUnsignedLong(s);
    } catch (NumberFormatException e) {
      throw new Unevaluable("'" + text + "' is not an integer literal");
    }
  }

  private static long character(String text) {
    String body = text.substring(1, text.length() - 1);
    if (body.length() == 1) {
      return body.charAt(0);
    }
    throw new Unevaluable("character literal " + text);
  }

  private String peek() {
    return pos < tokens.size() ? tokens.get(pos).text() : "";
  }

  private boolean accept(String s) {
    if (peek().equals(s) && tokens.get(pos).kind() == CToken.Kind.PUNCTUATOR) {
      pos++;
      return true;
    }
    return false;
  }

  private void expect(String s) {
    if (!accept(s)) {
      throw new Unevaluable("expected '" + s + "' in '" + text(tokens) + "'");
    }
  }
}
