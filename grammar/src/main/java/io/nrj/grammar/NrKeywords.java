package io.nrj.grammar;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Vocabulary;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * The keywords of the {@code .nr} language, read from the generated lexer's vocabulary, split into
 * reserved words and those the grammar also accepts as names ({@code nonReserved}). Used by the
 * DSL's "did you mean" suggestions and pinned by {@code TestKeywords}. It is not a parser: it only
 * asks the generated one which words it accepts as names.
 */
public final class NrKeywords {
  private NrKeywords() {}

  /** Every keyword (a lexer token whose literal is a word), sorted. */
  public static Set<String> all() {
    Set<String> words = new TreeSet<>();
    Vocabulary v = NrLexer.VOCABULARY;
    for (int t = 1; t <= v.getMaxTokenType(); t++) {
      String literal = v.getLiteralName(t);
      if (literal != null && literal.length() > 2 && Character.isLetter(literal.charAt(1))) {
        words.add(literal.substring(1, literal.length() - 1));
      }
    }
    return words;
  }

  /** Keywords that cannot be used as names, sorted. */
  public static Set<String> reserved() {
    Set<String> reserved = new TreeSet<>();
    for (String word : all()) if (!acceptedAsName(word)) reserved.add(word);
    return reserved;
  }

  /** Keywords that the grammar also accepts as names, sorted. */
  public static List<String> nonReserved() {
    List<String> words = new ArrayList<>();
    for (String word : all()) if (acceptedAsName(word)) words.add(word);
    return words;
  }

  private static boolean acceptedAsName(String word) {
    NrParser parser = new NrParser(new CommonTokenStream(new NrLexer(CharStreams.fromString(word))));
    parser.removeErrorListeners();
    parser.setErrorHandler(new org.antlr.v4.runtime.BailErrorStrategy());
    try {
      return parser.standaloneExpression().expression() instanceof NrParser.VariableContext;
    } catch (ParseCancellationException e) {
      return false;
    }
  }
}
