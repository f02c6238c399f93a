package io.nrj.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.nrj.grammar.NrLexer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.Token;
import org.junit.jupiter.api.Test;

/**
 * 5,000 seeded random mutations of the shipped specs (byte flips, token deletions, duplications
 * and swaps) give only diagnostics: never an exception, never an internal error, never a position
 * outside the file, and each within a small time bound.
 */
class MutationTest {
  private static final int MUTATIONS = 5_000;
  private static final long SEED = 20261127L;
  /** Per-compile bound: generous for a shared 2-core machine; typical compiles take a few ms. */
  private static final long BOUND_NANOS = 2_000_000_000L;

  @Test
  void mutatedSpecsGiveOnlyDiagnostics() {
    List<String> sources = new ArrayList<>();
    for (Path p : Specs.all()) sources.add(Specs.source(p.getFileName().toString()));
    Random random = new Random(SEED);
    int rejected = 0;
    long slowest = 0;
    for (int i = 0; i < MUTATIONS; i++) {
      String original = sources.get(i % sources.size());
      String mutated = original;
      int edits = 1 + random.nextInt(3);
      StringBuilder what = new StringBuilder();
      for (int e = 0; e < edits; e++) mutated = mutate(mutated, random, what);
      long start = System.nanoTime();
      CompileResult r;
      try {
        r = NrCompiler.compile("m.nr", mutated);
      } catch (Throwable t) {
        throw new AssertionError("mutation " + i + " (" + what + ") threw", t);
      }
      long took = System.nanoTime() - start;
      slowest = Math.max(slowest, took);
      if (took > BOUND_NANOS) fail("mutation " + i + " (" + what + ") took " + took / 1_000_000 + " ms");
      int lines = (int) mutated.lines().count() + 1;
      for (Diagnostic d : r.diagnostics()) {
        if (d.code().equals(Message.INTERNAL_ERROR.code())) {
          fail("mutation " + i + " (" + what + "): " + d.format() + "\n" + mutated);
        }
        assertTrue(d.location().line() >= 1 && d.location().line() <= lines, d::format);
        assertTrue(d.location().column() >= 1, d::format);
        DiagnosticRenderer.render(d, mutated);
      }
      if (!r.ok()) rejected++;
    }
    // Most mutations break something; a few (a flipped comment, a swapped pair of equal tokens) do not.
    assertTrue(rejected > MUTATIONS / 2, "rejected " + rejected);
    assertTrue(slowest < BOUND_NANOS);
  }

  @Test
  void mutationsAreReproducible() {
    Random a = new Random(SEED);
    Random b = new Random(SEED);
    String spec = Specs.source("vgg19_nr.nr");
    assertEquals(mutate(spec, a, new StringBuilder()), mutate(spec, b, new StringBuilder()));
  }

  static String mutate(String source, Random random, StringBuilder what) {
    int kind = random.nextInt(4);
    if (kind == 0) {
      what.append("byte flip;");
      byte[] bytes = source.getBytes(StandardCharsets.UTF_8);
      if (bytes.length == 0) return source;
      int at = random.nextInt(bytes.length);
      bytes[at] ^= (byte) (1 << random.nextInt(8));
      return new String(bytes, StandardCharsets.UTF_8);
    }
    List<String> tokens = tokens(source);
    if (tokens.size() < 2) return source;
    int i = random.nextInt(tokens.size());
    switch (kind) {
      case 1 -> {
        what.append("delete '").append(tokens.get(i)).append("';");
        tokens.remove(i);
      }
      case 2 -> {
        what.append("duplicate '").append(tokens.get(i)).append("';");
        tokens.add(i, tokens.get(i));
      }
      default -> {
        int j = random.nextInt(tokens.size());
        what.append("swap '").append(tokens.get(i)).append("' '").append(tokens.get(j)).append("';");
        String t = tokens.get(i);
        tokens.set(i, tokens.get(j));
        tokens.set(j, t);
      }
    }
    return String.join("", tokens);
  }

  /** The source as the lexer's tokens, whitespace and comments included, so joining gives it back. */
  private static List<String> tokens(String source) {
    NrLexer lexer = new NrLexer(CharStreams.fromString(source));
    lexer.removeErrorListeners();
    List<String> out = new ArrayList<>();
    for (Token t = lexer.nextToken(); t.getType() != Token.EOF; t = lexer.nextToken()) out.add(t.getText());
    return out;
  }
}
