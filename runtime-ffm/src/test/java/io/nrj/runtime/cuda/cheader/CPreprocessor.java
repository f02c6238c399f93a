package io.nrj.runtime.cuda.cheader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small C preprocessor for declaration headers, run as a C (not C++) compiler on x86-64 Linux
 * would: {@code __cplusplus}, {@code __CUDACC__} and {@code _WIN32} are undefined, {@code __GNUC__}
 * and {@code __linux__} defined. It follows {@code #include}s it can find on the search path (each
 * file once), keeps {@code #if}/{@code #ifdef} nesting exact, and expands object- and function-like
 * macros, so decorations like {@code CUDARTAPI}, {@code __host__} or {@code __dv(0)} vanish as the
 * compiler sees them.
 *
 * <p>Deliberately not: a conforming preprocessor. Macro rescanning is per expansion, not against
 * the rest of the input; {@code #error}, {@code #pragma} and {@code #line} are ignored; includes it
 * cannot find (system headers) are skipped and listed in {@link Result#missingIncludes}.
 */
public final class CPreprocessor {

  /** A macro; {@code params} is null for an object-like macro. */
  public record Macro(String name, List<String> params, boolean variadic, List<CToken> body) {}

  /**
   * The token stream the compiler would parse, the macros defined at its end, and what was skipped.
   */
  public record Result(
      List<CToken> tokens,
      Map<String, Macro> macros,
      List<String> missingIncludes,
      List<String> warnings) {

    /** Expands {@code tokens} with the macros defined at the end of the input. */
    public List<CToken> expand(List<CToken> tokens) {
      var pp = new CPreprocessor(List.of());
      pp.macros.putAll(macros);
      return pp.expand(tokens, Set.of());
    }
  }

  private static final Map<String, String> PREDEFINED =
      Map.of(
          "__linux__",
          "1",
          "__x86_64__",
          "1",
          "__LP64__",
          "1",
          "__GNUC__",
          "11",
          "__GNUC_MINOR__",
          "0",
          "__STDC__",
          "1",
          "__STDC_VERSION__",
          "201112L",
          "__CHAR_BIT__",
          "8");

  private final List<Path> searchPath;
  private final Map<String, Macro> macros = new LinkedHashMap<>();
  private final Set<Path> seen = new HashSet<>();
  private final List<CToken> output = new ArrayList<>();
  private final List<CToken> pending = new ArrayList<>();
  private final List<String> missing = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();

  private CPreprocessor(List<Path> searchPath) {
    this.searchPath = searchPath;
    PREDEFINED.forEach(
        (k, v) -> macros.put(k, new Macro(k, null, false, CLexer.tokenize(v, "<built-in>", 0))));
  }

  /** Preprocesses the header {@code entry}, found on {@code searchPath}. */
  public static Result run(List<Path> searchPath, String entry) {
    var pp = new CPreprocessor(searchPath);
    Path file = pp.find(entry, null);
    if (file == null) {
      throw new IllegalArgumentException(entry + " is not in " + searchPath);
    }
    pp.processFile(file);
    return pp.result();
  }

  /** Preprocesses literal text (tests, and the {@code .decl} files which have no directives). */
  public static Result runText(String name, String text, List<Path> searchPath) {
    var pp = new CPreprocessor(searchPath);
    pp.process(name, text, null);
    return pp.result();
  }

  private Result result() {
    return new Result(
        List.copyOf(output), Map.copyOf(macros), List.copyOf(missing), List.copyOf(warnings));
  }

  private Path find(String name, Path includerDir) {
    if (includerDir != null && Files.isRegularFile(includerDir.resolve(name))) {
      return includerDir.resolve(name).normalize();
    }
    for (Path dir : searchPath) {
      if (Files.isRegularFile(dir.resolve(name))) {
        return dir.resolve(name).normalize();
      }
    }
    return null;
  }

  private void processFile(Path file) {
    if (!seen.add(file.toAbsolutePath())) {
      return;
    }
    try {
      process(
          file.getFileName().toString(),
          Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1),
          file.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * One conditional frame: whether its enclosing region is live, and whether a branch was taken.
   */
  private record Frame(boolean outerActive, boolean taken, boolean active) {}

  private void process(String name, String text, Path dir) {
    Deque<Frame> stack = new ArrayDeque<>();
    for (CLexer.Line line : CLexer.lines(text)) {
      boolean active = stack.isEmpty() || stack.peek().active();
      String trimmed = line.text().strip();
      if (!trimmed.startsWith("#")) {
        if (active) {
          pending.addAll(CLexer.tokenize(line.text(), name, line.number()));
        }
        continue;
      }
      List<CToken> t = CLexer.tokenize(trimmed.substring(1), name, line.number());
      if (t.isEmpty()) {
        continue;
      }
      String directive = t.getFirst().text();
      List<CToken> rest = t.subList(1, t.size());
      switch (directive) {
        case "if" -> stack.push(open(active, active && condition(rest)));
        case "ifdef" ->
            stack.push(open(active, active && macros.containsKey(rest.getFirst().text())));
        case "ifndef" ->
            stack.push(open(active, active && !macros.containsKey(rest.getFirst().text())));
        case "elif", "elifdef", "elifndef" -> {
          Frame f = pop(stack, name, line);
          boolean take =
              f.outerActive()
                  && !f.taken()
                  && switch (directive) {
                    case "elif" -> condition(rest);
                    case "elifdef" -> macros.containsKey(rest.getFirst().text());
                    default -> !macros.containsKey(rest.getFirst().text());
                  };
          stack.push(new Frame(f.outerActive(), f.taken() || take, take));
        }
        case "else" -> {
          Frame f = pop(stack, name, line);
          stack.push(new Frame(f.outerActive(), true, f.outerActive() && !f.taken()));
        }
        case "endif" -> pop(stack, name, line);
        default -> {
          if (active) {
            flush();
            switch (directive) {
              case "define" -> define(rest, FUNCTION_LIKE.matcher(trimmed).lookingAt());
              case "undef" -> macros.remove(rest.getFirst().text());
              case "include" -> include(rest, dir);
              default -> {} // #pragma, #error, #warning, #line: nothing a declaration depends on
            }
          }
        }
      }
    }
    flush();
    if (!stack.isEmpty()) {
      warnings.add(name + ": " + stack.size() + " unterminated #if");
    }
  }

  private static Frame open(boolean outerActive, boolean take) {
    return new Frame(outerActive, take, take);
  }

  private Frame pop(Deque<Frame> stack, String file, CLexer.Line line) {
    if (stack.isEmpty()) {
      throw new IllegalStateException(file + ":" + line.number() + ": #endif/#else without #if");
    }
    return stack.pop();
  }

  private void flush() {
    if (!pending.isEmpty()) {
      output.addAll(expand(List.copyOf(pending), Set.of()));
      pending.clear();
    }
  }

  /** A macro is function-like only when '(' follows its name with no space between. */
  private static final java.util.regex.Pattern FUNCTION_LIKE =
      java.util.regex.Pattern.compile("#\\s*define\\s+\\w+\\(");

  private void define(List<CToken> t, boolean functionLike) {
    String name = t.getFirst().text();
    if (!functionLike) {
      macros.put(name, new Macro(name, null, false, List.copyOf(t.subList(1, t.size()))));
      return;
    }
    var params = new ArrayList<String>();
    boolean variadic = false;
    int i = 2;
    for (; i < t.size() && !t.get(i).is(")"); i++) {
      if (t.get(i).is("...")) {
        variadic = true;
      } else if (t.get(i).isIdentifier()) {
        params.add(t.get(i).text());
      }
    }
    macros.put(
        name,
        new Macro(
            name, params, variadic, List.copyOf(t.subList(Math.min(i + 1, t.size()), t.size()))));
  }

  private void include(List<CToken> t, Path dir) {
    if (t.isEmpty()) {
      return;
    }
    String target;
    if (t.getFirst().kind() == CToken.Kind.STRING) {
      target = t.getFirst().text().substring(1, t.getFirst().text().length() - 1);
    } else if (t.getFirst().is("<")) {
      var sb = new StringBuilder();
      for (int i = 1; i < t.size() && !t.get(i).is(">"); i++) {
        sb.append(t.get(i).text());
      }
      target = sb.toString();
    } else {
      warnings.add(t.getFirst().where() + ": computed #include skipped");
      return;
    }
    Path file = find(target, t.getFirst().kind() == CToken.Kind.STRING ? dir : null);
    if (file == null) {
      missing.add(target);
    } else {
      processFile(file);
    }
  }

  private boolean condition(List<CToken> t) {
    var resolved = new ArrayList<CToken>();
    for (int i = 0; i < t.size(); i++) {
      CToken tok = t.get(i);
      if (tok.is("defined")) {
        boolean paren = i + 1 < t.size() && t.get(i + 1).is("(");
        CToken name = t.get(i + (paren ? 2 : 1));
        resolved.add(
            new CToken(
                CToken.Kind.NUMBER,
                macros.containsKey(name.text()) ? "1" : "0",
                tok.file(),
                tok.line()));
        i += paren ? 3 : 1;
      } else if (tok.isIdentifier()
          && tok.text().startsWith("__has_")
          && i + 1 < t.size()
          && t.get(i + 1).is("(")) {
        int depth = 0;
        do {
          depth += t.get(i + 1).is("(") ? 1 : t.get(i + 1).is(")") ? -1 : 0;
          i++;
        } while (depth > 0 && i + 1 < t.size());
        resolved.add(new CToken(CToken.Kind.NUMBER, "0", tok.file(), tok.line()));
      } else {
        resolved.add(tok);
      }
    }
    try {
      // In #if, an identifier left after expansion is 0 (C11 6.10.1p4).
      return CExpression.evaluate(expand(resolved, Set.of()), id -> 0L, id -> false) != 0;
    } catch (CExpression.Unevaluable e) {
      warnings.add(
          t.isEmpty()
              ? "empty #if"
              : t.getFirst().where()
                  + ": #if "
                  + CExpression.text(t)
                  + ": "
                  + e.getMessage()
                  + " (taken as false)");
      return false;
    }
  }

  /** Expands macros in {@code in}; {@code hide} holds the macros being expanded (no recursion). */
  List<CToken> expand(List<CToken> in, Set<String> hide) {
    var out = new ArrayList<CToken>();
    int i = 0;
    while (i < in.size()) {
      CToken t = in.get(i);
      Macro m = t.isIdentifier() && !hide.contains(t.text()) ? macros.get(t.text()) : null;
      if (m == null) {
        out.add(t);
        i++;
        continue;
      }
      var hidden = new HashSet<>(hide);
      hidden.add(m.name());
      if (m.params() == null) {
        out.addAll(expand(paste(restamp(m.body(), t)), hidden));
        i++;
        continue;
      }
      if (i + 1 >= in.size() || !in.get(i + 1).is("(")) {
        out.add(t);
        i++;
        continue;
      }
      var args = new ArrayList<List<CToken>>();
      var current = new ArrayList<CToken>();
      int depth = 0;
      int j = i + 2;
      for (; j < in.size(); j++) {
        CToken a = in.get(j);
        if (a.is(")") && depth == 0) {
          break;
        }
        if (a.is(",") && depth == 0 && !(m.variadic() && args.size() >= m.params().size())) {
          args.add(current);
          current = new ArrayList<>();
          continue;
        }
        depth += a.is("(") ? 1 : a.is(")") ? -1 : 0;
        current.add(a);
      }
      if (j >= in.size()) {
        out.add(t); // no closing parenthesis here: leave the name
        i++;
        continue;
      }
      args.add(current);
      out.addAll(expand(paste(substitute(m, args, t, hide)), hidden));
      i = j + 1;
    }
    return out;
  }

  private List<CToken> substitute(
      Macro m, List<List<CToken>> args, CToken place, Set<String> hide) {
    var out = new ArrayList<CToken>();
    List<CToken> body = m.body();
    for (int k = 0; k < body.size(); k++) {
      CToken b = body.get(k);
      int p = b.isIdentifier() ? m.params().indexOf(b.text()) : -1;
      boolean vaArgs = b.is("__VA_ARGS__") && m.variadic();
      List<CToken> arg =
          p >= 0 && p < args.size()
              ? args.get(p)
              : vaArgs && args.size() > m.params().size()
                  ? args.get(m.params().size())
                  : p >= 0 || vaArgs ? List.of() : null;
      if (b.is("#") && k + 1 < body.size() && m.params().contains(body.get(k + 1).text())) {
        List<CToken> raw = args.get(m.params().indexOf(body.get(++k).text()));
        out.add(
            new CToken(
                CToken.Kind.STRING,
                "\"" + CExpression.text(raw) + "\"",
                place.file(),
                place.line()));
      } else if (arg != null) {
        boolean nearPaste =
            (k > 0 && body.get(k - 1).is("##"))
                || (k + 1 < body.size() && body.get(k + 1).is("##"));
        out.addAll(restamp(nearPaste ? arg : expand(arg, hide), place));
      } else {
        out.add(b.at(place));
      }
    }
    return out;
  }

  /** Applies {@code ##}: joins the tokens on either side into one. */
  private static List<CToken> paste(List<CToken> in) {
    if (in.stream().noneMatch(t -> t.is("##"))) {
      return in;
    }
    var out = new ArrayList<CToken>();
    for (int i = 0; i < in.size(); i++) {
      if (in.get(i).is("##") && !out.isEmpty() && i + 1 < in.size()) {
        CToken left = out.removeLast();
        String joined = left.text() + in.get(++i).text();
        out.addAll(CLexer.tokenize(joined, left.file(), left.line()));
      } else {
        out.add(in.get(i));
      }
    }
    return out;
  }

  private static List<CToken> restamp(List<CToken> tokens, CToken place) {
    return tokens.stream().map(t -> t.at(place)).toList();
  }
}
