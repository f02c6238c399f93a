package io.nrj.dsl.parser;

import io.nrj.dsl.DslSyntaxException;
import io.nrj.dsl.ast.NrFile;
import io.nrj.grammar.NrLexer;
import io.nrj.grammar.NrParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * The parser facade: {@code .nr} text to an {@link NrFile} AST, or a {@link DslSyntaxException} for
 * the first syntax error (modelled on Trino's SqlParser). It parses in the fast SLL mode first and
 * falls back to full LL only when SLL fails; inline token repair is off so the reported position
 * is where the text really goes wrong. It does not resolve names or check shapes.
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
    NrParser parser = new NrParser(tokens);
    parser.removeErrorListeners();
    parser.setErrorHandler(new NoInlineRepair());
    NrParser.NrFileContext tree;
    try {
      parser.addErrorListener(BAIL);
      parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
      tree = parser.nrFile();
    } catch (ParseCancellationException sllFailed) {
      tokens.seek(0);
      parser.reset();
      parser.removeErrorListeners();
      parser.addErrorListener(new SyntaxErrorReporter(sourceName, tokens));
      parser.getInterpreter().setPredictionMode(PredictionMode.LL);
      tree = parser.nrFile();
    }
    return new AstBuilder(sourceName).build(tree);
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
