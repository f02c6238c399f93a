package io.nrj.dsl.parser;

import io.nrj.dsl.Diagnostic;
import io.nrj.dsl.Diagnostics;
import io.nrj.dsl.DslSyntaxException;
import io.nrj.dsl.Message;
import io.nrj.dsl.SourceLocation;
import io.nrj.dsl.ast.NrFile;
import io.nrj.grammar.NrLexer;
import io.nrj.grammar.NrParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonToken;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.ListTokenSource;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * The parser facade: {@code .nr} text to an {@link NrFile} AST, or a {@link DslSyntaxException} with the
 * syntax errors (modelled on Trino's SqlParser). It parses in the fast SLL mode first and
 * falls back to full LL only when SLL fails; inline token repair is off so the reported position
 * is where the text really goes wrong. After a syntax error it still finds the first syntax error
 * of every other definition, so one run reports them all. It does not resolve names or check
 * shapes.
 */
public final class DslParser {
  private DslParser() {}

  public static NrFile parseFile(Path file) throws IOException {
    return parseNetwork(Files.readString(file), file.toString());
  }

  /** Parses a whole file's text; {@code sourceName} appears in locations. */
  public static NrFile parseNetwork(String source, String sourceName) {
    return invokeParser(source, sourceName);
  }

  private static NrFile invokeParser(String source, String sourceName) {
    NrLexer lexer = new NrLexer(CharStreams.fromString(source, sourceName));
    lexer.removeErrorListeners();
    CommonTokenStream tokens = new CommonTokenStream(lexer);
    tokens.fill();
    NestingGuard.check(tokens.getTokens(), sourceName); // before anything recurses over the nesting
    try {
      return new AstBuilder(sourceName).build(parse(tokens, sourceName));
    } catch (DslSyntaxException first) {
      throw new DslSyntaxException(syntaxErrorsPerDefinition(tokens, sourceName, first));
    }
  }

  /** SLL first (fast, and enough for almost every input), then full LL if SLL fails. */
  private static NrParser.NrFileContext parse(CommonTokenStream tokens, String sourceName) {
    NrParser parser = new NrParser(tokens);
    parser.removeErrorListeners();
    parser.setErrorHandler(new NoInlineRepair());
    try {
      parser.addErrorListener(BAIL);
      parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
      return parser.nrFile();
    } catch (ParseCancellationException sllFailed) {
      tokens.seek(0);
      parser.reset();
      parser.removeErrorListeners();
      parser.addErrorListener(new SyntaxErrorReporter(sourceName, tokens));
      parser.getInterpreter().setPredictionMode(PredictionMode.LL);
      return parser.nrFile();
    }
  }

  /**
   * After a syntax error, the first syntax error of every definition: the tokens are cut before
   * each {@code network}, {@code block}, {@code schedule} or {@code train} outside braces, and
   * each piece is parsed on its own (keeping its positions). A missing '}' joins the pieces that
   * follow it, so they are not reported twice.
   */
  private static List<Diagnostic> syntaxErrorsPerDefinition(
      CommonTokenStream tokens, String sourceName, DslSyntaxException first) {
    tokens.fill();
    List<Token> all = tokens.getTokens();
    SourceLocation firstError = first.diagnostics().getFirst().location();
    List<Diagnostic> found = new ArrayList<>(first.diagnostics());
    int depth = 0;
    int start = 0;
    for (int i = 0; i < all.size(); i++) {
      Token t = all.get(i);
      if (t.getChannel() != Token.DEFAULT_CHANNEL) continue;
      switch (t.getType()) {
        case NrLexer.LBRACE -> depth++;
        case NrLexer.RBRACE -> depth = Math.max(0, depth - 1);
        case NrLexer.NETWORK, NrLexer.BLOCK, NrLexer.SCHEDULE, NrLexer.TRAIN, Token.EOF -> {
          if (depth == 0 && i > start) {
            if (found.size() >= Diagnostics.MAX_ERRORS) {
              // Bounded work for a file of many broken definitions: say where checking stopped.
              found.add(Message.STOPPED.at(location(all.get(start), sourceName), found.size()));
              return found;
            }
            // Pieces up to the first error parsed fine, and that one's error is already known.
            if (after(all.get(start), firstError)) found.addAll(piece(all.subList(start, i), sourceName));
            start = i;
          }
        }
        default -> {}
      }
    }
    return found;
  }

  private static SourceLocation location(Token t, String sourceName) {
    return new SourceLocation(sourceName, Math.max(1, t.getLine()), t.getCharPositionInLine() + 1);
  }

  private static boolean after(Token t, SourceLocation at) {
    return t.getLine() > at.line() || (t.getLine() == at.line() && t.getCharPositionInLine() + 1 > at.column());
  }

  private static List<Diagnostic> piece(List<Token> tokens, String sourceName) {
    List<Token> copies = new ArrayList<>();
    for (Token t : tokens) copies.add(new CommonToken(t));
    try {
      parse(new CommonTokenStream(new ListTokenSource(copies, sourceName)), sourceName);
      return List.of();
    } catch (DslSyntaxException e) {
      return e.diagnostics();
    }
  }

  /** Throws at the first error so the SLL attempt can be retried in LL mode. */
  private static final BaseErrorListener BAIL =
      new BaseErrorListener() {
        @Override
        public void syntaxError(
            Recognizer<?, ?> r, Object token, int line, int col, String msg, RecognitionException e) {
          throw new ParseCancellationException(msg);
        }
      };

  /**
   * Never insert or delete a token to recover: report the original position instead. Stateful
   * (error-recovery mode), so one per parse.
   */
  private static final class NoInlineRepair extends DefaultErrorStrategy {
    @Override
    public Token recoverInline(Parser recognizer) throws RecognitionException {
      if (nextTokensContext == null) throw new InputMismatchException(recognizer);
      throw new InputMismatchException(recognizer, nextTokensState, nextTokensContext);
    }
  }
}
