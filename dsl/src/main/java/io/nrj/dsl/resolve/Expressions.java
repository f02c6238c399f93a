package io.nrj.dsl.resolve;

import io.nrj.dsl.Diagnostics;
import io.nrj.dsl.Message;
import io.nrj.dsl.ast.Expression;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * Evaluates integer expressions exactly in 64 bits: {@code /} and {@code %} floor, overflow and
 * division by zero are reported. Names are looked up in the block's parameters only (lexical
 * scoping); {@code channels} asks the resolver for the current input's channel count.
 */
final class Expressions {
  private final Diagnostics diagnostics;

  Expressions(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
  }

  long eval(Expression e, Map<String, Long> env, IntSupplier channels) {
    try {
      return evalExact(e, env, channels);
    } catch (ArithmeticException overflow) {
      diagnostics.report(Message.INTEGER_OVERFLOW, e.location());
      throw new Abort();
    }
  }

  private long evalExact(Expression e, Map<String, Long> env, IntSupplier channels) {
    return switch (e) {
      case Expression.IntLiteral lit -> {
        if (lit.text().length() > 18) throw new ArithmeticException("literal too long");
        yield Long.parseLong(lit.text());
      }
      case Expression.Variable v -> {
        Long value = env.get(v.name());
        if (value == null) {
          diagnostics.reportUnknown(
              Message.UNKNOWN_VARIABLE, v.location(), v.name(), env.keySet(), helpForNames(env));
          throw new Abort();
        }
        yield value;
      }
      case Expression.InputChannels c -> channels.getAsInt();
      case Expression.Unary u -> {
        long x = evalExact(u.operand(), env, channels);
        yield u.operator() == '-' ? Math.negateExact(x) : x;
      }
      case Expression.Binary b -> {
        long l = evalExact(b.left(), env, channels);
        long r = evalExact(b.right(), env, channels);
        yield switch (b.operator()) {
          case '+' -> Math.addExact(l, r);
          case '-' -> Math.subtractExact(l, r);
          case '*' -> Math.multiplyExact(l, r);
          default -> {
            if (r == 0) {
              diagnostics.report(Message.DIVISION_BY_ZERO, b.location());
              throw new Abort();
            }
            yield b.operator() == '/' ? Math.floorDiv(l, r) : Math.floorMod(l, r);
          }
        };
      }
    };
  }

  private static String helpForNames(Map<String, Long> env) {
    return env.isEmpty()
        ? "only block parameters and 'channels' can be used here"
        : "names in scope: " + String.join(", ", env.keySet());
  }
}
