package io.nrj.dsl.parser;

import io.nrj.dsl.DslSyntaxException;
import io.nrj.dsl.Message;
import io.nrj.dsl.SourceLocation;
import io.nrj.dsl.Suggestions;
import io.nrj.grammar.NrKeywords;
import io.nrj.grammar.NrLexer;
import io.nrj.grammar.NrParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * Turns ANTLR's first syntax error into a {@link DslSyntaxException} with a readable message. The
 * expected-token set is summarised by category ({@code <layer>}, {@code <expression>},
 * {@code <number>}, {@code <shape>}, ...) instead of listing fifty keywords, and likely mistakes get
 * targeted messages: a misspelt keyword ("did you mean 'conv'?"), a shape with spaces, an option
 * written with '='.
 */
final class SyntaxErrorReporter extends BaseErrorListener {
  private static final Set<String> KEYWORDS = NrKeywords.all();

  private final String sourceName;
  private final CommonTokenStream tokens;

  SyntaxErrorReporter(String sourceName, CommonTokenStream tokens) {
    this.sourceName = sourceName;
    this.tokens = tokens;
  }

  @Override
  public void syntaxError(
      Recognizer<?, ?> recognizer, Object offending, int line, int col, String msg, RecognitionException e) {
    Token token = (Token) offending;
    Parser parser = (Parser) recognizer;
    IntervalSet expected = e != null && e.getExpectedTokens() != null ? e.getExpectedTokens() : parser.getExpectedTokens();
    // A name where a layer starts, followed by neither ':' (a label) nor '(' (a block call): the
    // parser only notices at the next token, but the mistake is the name itself.
    if (e instanceof NoViableAltException nv && parser.getContext() instanceof NrParser.LayerContext
        && isPlainName(nv.getStartToken().getType()) && nv.getStartToken() != token) {
      throw new DslSyntaxException(misplacedName(nv.getStartToken()));
    }
    throw new DslSyntaxException(describe(token, expected));
  }

  /** A name in layer position: an option the statement before it does not have, or an unknown layer kind. */
  private io.nrj.dsl.Diagnostic misplacedName(Token word) {
    SourceLocation at = location(word);
    Token statement = statementOnLine(word);
    if (statement != null) {
      String kind = statement.getText();
      List<String> options = statement.getType() == NrLexer.CONV ? CONV_OPTION_WORDS : POOL_OPTION_WORDS;
      String keyword = Suggestions.closest(word.getText(), KEYWORDS);
      if (keyword != null) return Message.UNKNOWN_KEYWORD.at(at, word.getText(), keyword);
      return Message.UNKNOWN_OPTION.at(at, kind, word.getText(), kind, String.join(", ", options));
    }
    String suggestion = Suggestions.closest(word.getText(), LayerKinds.names(blockNames()));
    if (suggestion == null) suggestion = LayerKinds.alias(word.getText());
    if (blockNames().contains(word.getText())) {
      return Message.UNKNOWN_LAYER_KIND.atWithHelp(
          at, "'" + word.getText() + "' is a block: call it with parentheses, '" + word.getText() + "(...)'", word.getText());
    }
    if (suggestion != null) return Message.UNKNOWN_LAYER_KIND.at(at, word.getText(), suggestion);
    return Message.UNKNOWN_LAYER_KIND.atWithHelp(at, LayerKinds.HELP, word.getText());
  }

  /** The conv or pool statement {@code token} continues on its line, or null. */
  private Token statementOnLine(Token token) {
    for (Token t = previousVisible(token); t != null && t.getLine() == token.getLine(); t = previousVisible(t)) {
      switch (t.getType()) {
        case NrLexer.CONV, NrLexer.MAXPOOL, NrLexer.AVGPOOL -> {
          return t;
        }
        case NrLexer.LBRACE, NrLexer.RBRACE, NrLexer.COLON -> {
          return null;
        }
        default -> {}
      }
    }
    return null;
  }

  /** The names of the blocks this file defines (to suggest a call with parentheses). */
  private java.util.Set<String> blockNames() {
    tokens.fill();
    java.util.Set<String> names = new java.util.TreeSet<>();
    Token previous = null;
    for (Token t : tokens.getTokens()) {
      if (t.getChannel() != Token.DEFAULT_CHANNEL) continue;
      if (previous != null && previous.getType() == NrLexer.BLOCK && isName(t.getType())) names.add(t.getText());
      previous = t;
    }
    return names;
  }

  private static final List<String> CONV_OPTION_WORDS =
      List.of("kN", "kernel N", "stride N", "pad N", "norelu", "input", "fixed", "split", "from LAYER");
  private static final List<String> POOL_OPTION_WORDS = List.of("stride N", "pad N", "from LAYER");

  // An identifier that is no keyword (keywords usable as names, like 'stride', get the keyword
  // diagnostics: 'stride=2' is an option written with '=').
  private static boolean isPlainName(int type) {
    return type == NrLexer.IDENT || type == NrLexer.PATH;
  }

  private static boolean isName(int type) {
    for (int t : NAME_TOKENS) if (t == type) return true;
    return type == NrLexer.PATH;
  }

  private io.nrj.dsl.Diagnostic describe(Token token, IntervalSet expected) {
    SourceLocation at = location(token);
    if (token.getType() == NrLexer.UNRECOGNIZED) {
      return Message.UNEXPECTED_CHARACTER.at(at, token.getText());
    }
    // 'conv 64 3': a kernel size without its 'k' (NR-DSL-310, with the fix spelled out).
    if (token.getType() == NrLexer.INT && bareKernel(token)) {
      return Message.MISSING_KERNEL.atWithHelp(at, "write 'k" + token.getText() + "' (or 'kernel " + token.getText() + "')");
    }
    // A misspelt keyword: the offending word itself, or the word just before it (which the parser
    // took for a label or block name, only to fail on what follows).
    Token previous = previousVisible(token);
    for (Token word : new Token[] {token, previous}) {
      if (word != null && word.getType() == NrLexer.IDENT) {
        String suggestion = Suggestions.closest(word.getText(), KEYWORDS);
        if (suggestion != null) return Message.UNKNOWN_KEYWORD.at(location(word), word.getText(), suggestion);
      }
    }
    if (token.getType() == NrLexer.EQ && previous != null && isOptionKeyword(previous.getType())) {
      Token value = nextVisible(token);
      return Message.OPTION_WITH_EQUALS.at(at, previous.getText(), value == null || value.getType() == Token.EOF ? "..." : value.getText());
    }
    if (expected.contains(NrLexer.SHAPE)) return Message.BAD_SHAPE_SYNTAX.at(at, display(token));
    return Message.SYNTAX_ERROR.at(at, display(token), summarise(expected));
  }

  /** Whether {@code token} follows a conv's width on its line, and that conv has no kernel yet. */
  private boolean bareKernel(Token token) {
    Token statement = statementOnLine(token);
    if (statement == null || statement.getType() != NrLexer.CONV) return false;
    for (Token t = previousVisible(token); t != null && t != statement; t = previousVisible(t)) {
      if (t.getType() == NrLexer.KERNEL_SHORT || t.getType() == NrLexer.KERNEL) return false;
    }
    return true;
  }

  private static boolean isOptionKeyword(int type) {
    return type == NrLexer.STRIDE || type == NrLexer.PAD || type == NrLexer.KERNEL;
  }

  private Token previousVisible(Token token) {
    for (int i = token.getTokenIndex() - 1; i >= 0; i--) {
      Token t = tokens.get(i);
      if (t.getChannel() == Token.DEFAULT_CHANNEL) return t;
    }
    return null;
  }

  private Token nextVisible(Token token) {
    tokens.fill();
    for (int i = token.getTokenIndex() + 1; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (t.getChannel() == Token.DEFAULT_CHANNEL) return t;
    }
    return null;
  }

  private SourceLocation location(Token token) {
    return new SourceLocation(sourceName, Math.max(1, token.getLine()), token.getCharPositionInLine() + 1);
  }

  private static String display(Token token) {
    if (token.getType() == Token.EOF) return "end of file";
    String text = token.getText();
    if (text.length() > 30) text = text.substring(0, 27) + "...";
    return "'" + text + "'";
  }

  private static final int[] LAYER_STARTS = {
    NrLexer.CONV, NrLexer.MAXPOOL, NrLexer.AVGPOOL, NrLexer.RELU, NrLexer.RESIDUAL, NrLexer.DENSE,
    NrLexer.REPEAT, NrLexer.ADD, NrLexer.CONCAT, NrLexer.CLASSIFIER
  };
  private static final int[] SCHEDULE_STARTS = {
    NrLexer.EPOCHS, NrLexer.BATCH, NrLexer.TEST_BATCH, NrLexer.SGD, NrLexer.LR_STEPS, NrLexer.AUGMENT,
    NrLexer.NORMALIZE, NrLexer.DATASET, NrLexer.PRECISION, NrLexer.REJUVENATE
  };
  private static final int[] NR_STARTS = {
    NrLexer.SPARSITY, NrLexer.TARGET, NrLexer.MEASURE, NrLexer.LIVE_THRESHOLD, NrLexer.DEAD_THRESHOLD,
    NrLexer.EXPAND, NrLexer.NEW_GAMMA, NrLexer.CROSS, NrLexer.BN_RESTORE, NrLexer.COMPRESS_ONLY
  };
  private static final int[] CONV_OPTIONS = {
    NrLexer.KERNEL_SHORT, NrLexer.NORELU, NrLexer.FIXED, NrLexer.SPLIT
  };
  private static final int[] DEFINITION_STARTS = {NrLexer.NETWORK, NrLexer.BLOCK, NrLexer.SCHEDULE, NrLexer.TRAIN};
  private static final int[] NAME_TOKENS = {
    NrLexer.IDENT, NrLexer.STRIDE, NrLexer.PAD, NrLexer.KERNEL, NrLexer.GAMMA, NrLexer.START, NrLexer.STEP,
    NrLexer.THRESHOLD, NrLexer.MODE, NrLexer.TARGET, NrLexer.MEAN, NrLexer.STD
  };

  /** "<layer>, '}' or <name>": categories first, then single tokens, sorted. */
  static String summarise(IntervalSet expected) {
    Set<Integer> left = new TreeSet<>(expected.toList());
    List<String> parts = new ArrayList<>();
    collapse(left, parts, DEFINITION_STARTS, NrLexer.NETWORK, "<definition>");
    collapse(left, parts, LAYER_STARTS, NrLexer.CONV, "<layer>");
    collapse(left, parts, SCHEDULE_STARTS, NrLexer.EPOCHS, "<schedule-setting>");
    collapse(left, parts, NR_STARTS, NrLexer.SPARSITY, "<rejuvenate-setting>");
    collapse(left, parts, CONV_OPTIONS, NrLexer.NORELU, "<conv-option>");
    if (left.contains(NrLexer.INT) && left.contains(NrLexer.LPAREN)) {
      left.removeAll(List.of(NrLexer.INT, NrLexer.LPAREN, NrLexer.MINUS, NrLexer.PLUS, NrLexer.CHANNELS));
      for (int t : NAME_TOKENS) left.remove(t);
      parts.add("<expression>");
    }
    if (left.contains(NrLexer.FLOAT)) {
      left.removeAll(List.of(NrLexer.INT, NrLexer.FLOAT, NrLexer.MINUS));
      parts.add("<number>");
    }
    if (left.contains(NrLexer.INT)) {
      left.remove(NrLexer.INT);
      parts.add("<integer>");
    }
    if (left.contains(NrLexer.IDENT)) {
      for (int t : NAME_TOKENS) left.remove(t);
      left.remove(NrLexer.PATH);
      parts.add("<name>");
    }
    if (left.remove(NrLexer.SHAPE)) parts.add("<shape>");
    List<String> singles = new ArrayList<>();
    for (int t : left) {
      if (t == Token.EOF) singles.add("end of file");
      else singles.add(NrParser.VOCABULARY.getDisplayName(t));
    }
    singles.sort(null);
    parts.addAll(singles);
    if (parts.isEmpty()) return "something else";
    if (parts.size() == 1) return parts.getFirst();
    return String.join(", ", parts.subList(0, parts.size() - 1)) + " or " + parts.getLast();
  }

  private static void collapse(Set<Integer> left, List<String> parts, int[] group, int marker, String name) {
    if (!left.contains(marker)) return;
    for (int t : group) left.remove(t);
    parts.add(name);
  }
}
