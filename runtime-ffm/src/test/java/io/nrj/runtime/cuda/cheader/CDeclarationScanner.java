package io.nrj.runtime.cuda.cheader;

import io.nrj.runtime.cuda.cheader.CModel.Aggregate;
import io.nrj.runtime.cuda.cheader.CModel.Declarator;
import io.nrj.runtime.cuda.cheader.CModel.Enumerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads declarations out of a preprocessed token stream: prototypes, typedefs, struct/union and
 * enum bodies. Tolerant by design: a statement it cannot read (a C++ leftover, an inline function's
 * body, a declaration form the CUDA headers never use for what we bind) is skipped and noted in
 * {@link #skipped}, so one odd line in a 14,000-line header does not hide the rest.
 *
 * <p>Not a C parser: no expressions outside constant contexts, no K&amp;R prototypes, no nested
 * function declarators beyond {@code (*name)(...)}.
 */
public final class CDeclarationScanner {
  static final Set<String> QUALIFIERS =
      Set.of(
          "const",
          "volatile",
          "restrict",
          "__restrict",
          "__restrict__",
          "__const",
          "register",
          "static",
          "extern",
          "inline",
          "__inline",
          "__inline__",
          "__extension__",
          "_Noreturn",
          "auto");
  static final Set<String> TYPE_KEYWORDS =
      Set.of(
          "void",
          "char",
          "short",
          "int",
          "long",
          "float",
          "double",
          "signed",
          "unsigned",
          "_Bool",
          "__int128");

  /**
   * Decorations that vanish through their macros when the defining header is found; dropped here
   * too so a missing include (host_defines.h) cannot turn {@code __host__} into a type name.
   */
  private static final Set<String> DECORATIONS =
      Set.of(
          "CUDARTAPI",
          "CUDARTAPI_CDECL",
          "__host__",
          "__device__",
          "__cudart_builtin__",
          "__device_builtin__",
          "CUDNNWINAPI",
          "CUBLASWINAPI",
          "CUBLASAPI",
          "CUDNN_DEPRECATED",
          "CUDNN_DEPRECATED_ENUM",
          "CUDART_CB",
          "__stdcall",
          "__cdecl",
          "CUDAAPI");

  private static final Set<String> SKIPPED_CALLS =
      Set.of(
          "__attribute__",
          "__declspec",
          "__asm__",
          "__asm",
          "__dv",
          "__align__",
          "__builtin_align__",
          "_Pragma");

  private final CModel model;

  /** Statements skipped as unreadable, with the reason: for diagnosing the scanner itself. */
  public final List<String> skipped = new ArrayList<>();

  private CDeclarationScanner(CPreprocessor.Result pp) {
    this.model = new CModel(pp);
  }

  /** Scans the preprocessed tokens into a model. */
  public static CModel scan(CPreprocessor.Result pp) {
    return scanWithReport(pp).model;
  }

  /** Like {@link #scan}, keeping the scanner to read {@link #skipped}. */
  public static CDeclarationScanner scanWithReport(CPreprocessor.Result pp) {
    var s = new CDeclarationScanner(pp);
    s.run(clean(pp.tokens()));
    return s;
  }

  public CModel model() {
    return model;
  }

  /** Drops attributes, declspecs, {@code [[...]]} and known decorations. */
  static List<CToken> clean(List<CToken> in) {
    var out = new ArrayList<CToken>(in.size());
    for (int i = 0; i < in.size(); i++) {
      CToken t = in.get(i);
      if (t.isIdentifier()
          && SKIPPED_CALLS.contains(t.text())
          && i + 1 < in.size()
          && in.get(i + 1).is("(")) {
        i = matching(in, i + 1, "(", ")");
      } else if (t.is("[") && i + 1 < in.size() && in.get(i + 1).is("[")) {
        i = matching(in, i, "[", "]");
      } else if (!(t.isIdentifier() && DECORATIONS.contains(t.text()))) {
        out.add(t);
      }
    }
    return out;
  }

  /** Index of the token closing the bracket opened at {@code open}. */
  static int matching(List<CToken> t, int open, String o, String c) {
    int depth = 0;
    for (int i = open; i < t.size(); i++) {
      if (t.get(i).is(o)) {
        depth++;
      } else if (t.get(i).is(c) && --depth == 0) {
        return i;
      }
    }
    return t.size() - 1;
  }

  private void run(List<CToken> t) {
    int linkage = 0;
    int i = 0;
    while (i < t.size()) {
      CToken k = t.get(i);
      if (k.is("extern") && i + 1 < t.size() && t.get(i + 1).kind() == CToken.Kind.STRING) {
        i += 2;
        if (i < t.size() && t.get(i).is("{")) {
          linkage++;
          i++;
        }
        continue;
      }
      if (k.is("}") || k.is(";")) {
        linkage -= k.is("}") && linkage > 0 ? 1 : 0;
        i++;
        continue;
      }
      int parens = 0;
      int braces = 0;
      int j = i;
      boolean functionBody = false;
      for (; j < t.size(); j++) {
        CToken x = t.get(j);
        if (x.is("(") || x.is("[")) {
          parens++;
        } else if (x.is(")") || x.is("]")) {
          parens--;
        } else if (x.is("{")) {
          if (parens == 0 && braces == 0 && j > i && t.get(j - 1).is(")")) {
            functionBody = true;
            break;
          }
          braces++;
        } else if (x.is("}")) {
          if (--braces < 0) {
            break; // a '}' closing a block we did not open: end the statement before it
          }
        } else if (x.is(";") && parens == 0 && braces == 0) {
          break;
        }
      }
      List<CToken> statement = t.subList(i, Math.min(j, t.size()));
      try {
        statement(statement);
      } catch (RuntimeException e) {
        skipped.add(
            statement.getFirst().where()
                + ": "
                + e.getMessage()
                + ": "
                + CExpression.text(statement.subList(0, Math.min(12, statement.size()))));
      }
      i =
          functionBody
              ? matching(t, j, "{", "}") + 1
              : (j < t.size() && t.get(j).is("}") ? j : j + 1);
    }
  }

  private void statement(List<CToken> s) {
    boolean typedef = s.getFirst().is("typedef");
    var p = new Reader(typedef ? s.subList(1, s.size()) : s);
    List<String> specifiers = p.specifiers();
    if (specifiers.isEmpty()) {
      throw new IllegalStateException("no type");
    }
    while (!p.atEnd()) {
      Reader.Parsed d = p.declarator(specifiers, false);
      if (typedef) {
        model.typedefs.put(d.declarator().name(), d.declarator());
      } else if (d.params() != null && !d.declarator().function()) {
        model.functions.putIfAbsent(
            d.declarator().name(),
            new CModel.Function(
                d.declarator().name(),
                d.declarator(),
                d.params(),
                d.variadic(),
                d.declarator().where()));
      }
      if (!p.atEnd()) {
        p.expect(",");
      }
    }
  }

  /** Reads specifiers and declarators from one statement's tokens. */
  private final class Reader {
    private final List<CToken> t;
    private int pos;

    Reader(List<CToken> t) {
      this.t = t;
    }

    record Parsed(Declarator declarator, List<Declarator> params, boolean variadic) {}

    boolean atEnd() {
      return pos >= t.size();
    }

    CToken peek() {
      return t.get(pos);
    }

    boolean peekIs(String s) {
      return pos < t.size() && t.get(pos).is(s);
    }

    void expect(String s) {
      if (!peekIs(s)) {
        throw new IllegalStateException(
            "expected '" + s + "' at " + (atEnd() ? "end" : "'" + peek().text() + "'"));
      }
      pos++;
    }

    /**
     * The base type: qualifiers, keywords, one typedef name, or {@code struct/union/enum [tag]
     * [{...}]}.
     */
    List<String> specifiers() {
      var words = new ArrayList<String>();
      boolean typeSeen = false;
      while (!atEnd()) {
        CToken k = peek();
        if (QUALIFIERS.contains(k.text())) {
          words.add(k.text());
          pos++;
        } else if (k.is("struct") || k.is("union") || k.is("enum")) {
          pos++;
          String tag = !atEnd() && peek().isIdentifier() ? t.get(pos++).text() : null;
          if (peekIs("{")) {
            int close = matching(t, pos, "{", "}");
            List<CToken> body = t.subList(pos + 1, close);
            if (k.is("enum")) {
              tag = tag != null ? tag : anonymous(k);
              enumBody(tag, body);
            } else {
              List<Declarator> fields = members(body); // nested bodies register first
              tag = tag != null ? tag : anonymous(k);
              model.aggregates.put(tag, new Aggregate(tag, k.is("union"), fields, k));
            }
            pos = close + 1;
          }
          if (tag == null) {
            throw new IllegalStateException(k.text() + " without tag or body");
          }
          words.add(k.text());
          words.add(tag);
          typeSeen = true;
        } else if (TYPE_KEYWORDS.contains(k.text())) {
          words.add(k.text());
          typeSeen = true;
          pos++;
        } else if (k.isIdentifier() && !typeSeen) {
          words.add(k.text());
          typeSeen = true;
          pos++;
        } else {
          break;
        }
      }
      return words;
    }

    Parsed declarator(List<String> specifiers, boolean abstractAllowed) {
      CToken where = atEnd() ? t.getLast() : peek();
      int pointers = 0;
      while (peekIs("*") || (!atEnd() && QUALIFIERS.contains(peek().text()))) {
        pointers += t.get(pos++).is("*") ? 1 : 0;
      }
      String name = null;
      boolean functionPointer = false;
      if (peekIs("(") && pos + 1 < t.size() && t.get(pos + 1).is("*")) {
        int close = matching(t, pos, "(", ")");
        for (int k = pos; k < close; k++) {
          if (t.get(k).isIdentifier() && !QUALIFIERS.contains(t.get(k).text())) {
            name = t.get(k).text();
            where = t.get(k);
          }
        }
        functionPointer = true;
        pos = close + 1;
        if (peekIs("(")) {
          pos = matching(t, pos, "(", ")") + 1;
        }
      } else if (!atEnd() && peek().isIdentifier()) {
        where = peek();
        name = t.get(pos++).text();
      }
      if (name == null && !abstractAllowed) {
        throw new IllegalStateException("declarator without a name");
      }
      List<Declarator> params = null;
      boolean variadic = false;
      if (!functionPointer && peekIs("(")) {
        int close = matching(t, pos, "(", ")");
        params = new ArrayList<>();
        for (List<CToken> param : splitTopLevel(t.subList(pos + 1, close), ",")) {
          if (param.size() == 1 && param.getFirst().is("...")) {
            variadic = true;
          } else if (!(param.size() == 1 && param.getFirst().is("void")) && !param.isEmpty()) {
            var r = new Reader(param);
            List<String> spec = r.specifiers();
            params.add(r.declarator(spec, true).declarator());
          }
        }
        pos = close + 1;
      }
      var dims = new ArrayList<List<CToken>>();
      while (peekIs("[")) {
        int close = matching(t, pos, "[", "]");
        dims.add(List.copyOf(t.subList(pos + 1, close)));
        pos = close + 1;
      }
      int bits = -1;
      if (peekIs(":")) {
        int end = pos + 1;
        while (end < t.size() && !t.get(end).is(",")) {
          end++;
        }
        bits =
            (int)
                CExpression.evaluate(
                    t.subList(pos + 1, end), model::enumeratorValue, model.typedefs::containsKey);
        pos = end;
      }
      if (peekIs("=")) {
        while (!atEnd() && !peekIs(",")) {
          pos++;
        }
      }
      var d =
          new Declarator(
              List.copyOf(specifiers), pointers, dims, functionPointer, name, bits, where);
      return new Parsed(d, params, variadic);
    }

    private List<Declarator> members(List<CToken> body) {
      var fields = new ArrayList<Declarator>();
      for (List<CToken> member : splitTopLevel(body, ";")) {
        if (member.isEmpty()) {
          continue;
        }
        var r = new Reader(member);
        List<String> spec = r.specifiers();
        if (r.atEnd()) {
          // C11 anonymous struct/union member: its fields sit in the enclosing aggregate
          fields.add(
              new Declarator(List.copyOf(spec), 0, List.of(), false, null, -1, member.getFirst()));
          continue;
        }
        while (!r.atEnd()) {
          fields.add(r.declarator(spec, false).declarator());
          if (!r.atEnd()) {
            r.expect(",");
          }
        }
      }
      return fields;
    }
  }

  /** A tag for an anonymous body: its place, made unique when two share a line. */
  private String anonymous(CToken where) {
    String tag = "<anon " + where.where() + ">";
    for (int n = 2; model.aggregates.containsKey(tag) || model.enums.containsKey(tag); n++) {
      tag = "<anon " + where.where() + " #" + n + ">";
    }
    return tag;
  }

  private void enumBody(String tag, List<CToken> body) {
    var names = new ArrayList<String>();
    Long previous = -1L;
    String previousName = null;
    for (List<CToken> item : splitTopLevel(body, ",")) {
      if (item.isEmpty()) {
        continue;
      }
      CToken name = item.getFirst();
      Long value = null;
      String error = null;
      if (item.size() > 2 && item.get(1).is("=")) {
        try {
          value =
              CExpression.evaluate(
                  item.subList(2, item.size()),
                  model::enumeratorValue,
                  model.typedefs::containsKey);
        } catch (CExpression.Unevaluable e) {
          error =
              name.text()
                  + " = "
                  + CExpression.text(item.subList(2, item.size()))
                  + " at "
                  + name.where()
                  + ": "
                  + e.getMessage();
        }
      } else if (previous != null) {
        value = previous + 1;
      } else {
        error =
            name.text()
                + " at "
                + name.where()
                + " follows "
                + previousName
                + ", whose value is unknown";
      }
      model.enumerators.put(name.text(), new Enumerator(name.text(), tag, value, error, name));
      names.add(name.text());
      previous = value;
      previousName = name.text();
    }
    model.enums.put(tag, names);
  }

  /** Splits at {@code separator} outside any brackets. */
  static List<List<CToken>> splitTopLevel(List<CToken> t, String separator) {
    var parts = new ArrayList<List<CToken>>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < t.size(); i++) {
      String s = t.get(i).text();
      if (s.equals("(") || s.equals("[") || s.equals("{")) {
        depth++;
      } else if (s.equals(")") || s.equals("]") || s.equals("}")) {
        depth--;
      } else if (s.equals(separator) && depth == 0 && t.get(i).kind() == CToken.Kind.PUNCTUATOR) {
        parts.add(t.subList(start, i));
        start = i + 1;
      }
    }
    if (start < t.size()) {
      parts.add(t.subList(start, t.size()));
    }
    return parts;
  }
}
