package io.nrj.dsl.parser;

import io.nrj.dsl.DslSyntaxException;
import io.nrj.dsl.Message;
import io.nrj.dsl.SourceLocation;
import io.nrj.grammar.NrLexer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.antlr.v4.runtime.Token;

/**
 * Bounds how deep a file can make the compiler recurse, before the parser sees it. ANTLR's parser,
 * the AST builder and the resolver all recurse once per level of nesting, so a file of 10,000
 * parentheses would otherwise end in a {@link StackOverflowError}. One pass over the tokens counts
 * the levels each token sits in: open parentheses and braces, unary signs still waiting for their
 * operand, and the binary operators of the current expression (each makes the left-nested tree one
 * level deeper). The first token past a limit gets the diagnostic, naming the limit.
 *
 * <p>The limits are far beyond any real spec (the shipped ones nest 4 levels and use 2 operators per
 * expression) and far below what the JVM's default stack holds.
 */
final class NestingGuard {
  /** Most levels of parentheses, braces and pending signs around one token. */
  static final int MAX_DEPTH = 64;
  /** Most binary operators in one expression. */
  static final int MAX_OPERATORS = 256;

  private NestingGuard() {}

  /** Throws a {@link DslSyntaxException} at the first token past a limit; {@code tokens} ends with EOF. */
  static void check(List<Token> tokens, String sourceName) {
    int depth = 0; // open parentheses and braces
    int signs = 0; // unary signs waiting for their operand, at the current parenthesis level
    int waiting = 0; // signs waiting at outer levels
    int operators = 0; // binary operators in the current expression
    Deque<Integer> outerSigns = new ArrayDeque<>();
    Token previous = null;
    for (Token t : tokens) {
      if (t.getChannel() != Token.DEFAULT_CHANNEL || t.getType() == Token.EOF) continue;
      int type = t.getType();
      boolean afterOperand = previous != null && endsOperand(previous.getType());
      switch (type) {
        case NrLexer.LPAREN, NrLexer.LBRACE -> {
          depth++;
          if (type == NrLexer.LPAREN) {
            outerSigns.push(signs);
            waiting += signs;
            signs = 0;
          } else {
            operators = 0;
          }
        }
        case NrLexer.RPAREN, NrLexer.RBRACE -> {
          depth = Math.max(0, depth - 1);
          if (type == NrLexer.RPAREN && !outerSigns.isEmpty()) {
            waiting -= outerSigns.pop(); // the group is the operand of the signs before it
          } else {
            operators = 0;
          }
          signs = 0;
        }
        case NrLexer.PLUS, NrLexer.MINUS -> {
          if (afterOperand) operators++;
          else signs++;
        }
        case NrLexer.STAR, NrLexer.SLASH, NrLexer.PERCENT -> operators++;
        default -> {
          if (startsOperand(type)) {
            if (afterOperand) operators = 0; // two operands in a row: a new expression began
            signs = 0;
          } else {
            operators = 0; // a keyword, ',', ':' ... ends the expression
            signs = 0;
          }
        }
      }
      if (depth + waiting + signs > MAX_DEPTH) {
        throw new DslSyntaxException(Message.NESTING_TOO_DEEP.at(location(t, sourceName), MAX_DEPTH));
      }
      if (operators > MAX_OPERATORS) {
        throw new DslSyntaxException(Message.EXPRESSION_TOO_LONG.at(location(t, sourceName), MAX_OPERATORS));
      }
      previous = t;
    }
  }

  private static boolean startsOperand(int type) {
    return type == NrLexer.INT || type == NrLexer.FLOAT || type == NrLexer.IDENT || type == NrLexer.PATH
        || type == NrLexer.CHANNELS || isName(type);
  }

  private static boolean endsOperand(int type) {
    return startsOperand(type) || type == NrLexer.RPAREN;
  }

  // Keywords that may also be names (the grammar's nonReserved): treated as operands.
  private static boolean isName(int type) {
    return switch (type) {
      case NrLexer.STRIDE, NrLexer.PAD, NrLexer.KERNEL, NrLexer.GAMMA, NrLexer.START, NrLexer.STEP,
          NrLexer.THRESHOLD, NrLexer.MODE, NrLexer.TARGET, NrLexer.MEAN, NrLexer.STD -> true;
      default -> false;
    };
  }

  private static SourceLocation location(Token t, String sourceName) {
    return new SourceLocation(sourceName, Math.max(1, t.getLine()), t.getCharPositionInLine() + 1);
  }
}
