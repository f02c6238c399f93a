package io.nrj.processor.ffm;

import io.nrj.processor.ffm.HeaderDecl.Constant;
import io.nrj.processor.ffm.HeaderDecl.EnumDecl;
import io.nrj.processor.ffm.HeaderDecl.Field;
import io.nrj.processor.ffm.HeaderDecl.FunctionDecl;
import io.nrj.processor.ffm.HeaderDecl.Param;
import io.nrj.processor.ffm.HeaderDecl.StructDecl;
import io.nrj.processor.ffm.HeaderDecl.Typedef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a {@code .decl} file: C prototypes copied out by hand from a library's headers, in a
 * small subset of C. Not a C parser: no preprocessor, no function pointers, no unions, no
 * expressions in enum values. The subset, one statement per {@code ;}:
 *
 * <pre>
 * # comment to end of line
 * library cudnn libcudnn.so.9            (once, first: short name and soname; no ';')
 * typedef void* cudnnHandle_t;           (any type, then the new name)
 * enum cudnnStatus_t { CUDNN_STATUS_SUCCESS = 0, CUDNN_STATUS_BAD_PARAM = 2000, };
 * struct dim3 { unsigned int x; unsigned int y; unsigned int z; };   (fields may be int a[3])
 * cudnnStatus_t cudnnCreate(cudnnHandle_t* handle);
 * </pre>
 *
 * <p>Scalar types: {@code int}, {@code unsigned int}, {@code size_t}, {@code long long},
 * {@code unsigned long long}, {@code float}, {@code double}; any pointer; enums (as int); structs
 * by value; typedefs of these. Errors name the file and line.
 */
final class DeclParser {
  private static final Set<String> QUALIFIERS = Set.of("const", "enum", "struct");
  private static final Map<String, CType.Scalar> SCALARS =
      Map.of(
          "int", CType.Scalar.INT,
          "unsigned int", CType.Scalar.INT,
          "unsigned", CType.Scalar.INT,
          "size_t", CType.Scalar.LONG_LONG,
          "long long", CType.Scalar.LONG_LONG,
          "unsigned long long", CType.Scalar.LONG_LONG,
          "float", CType.Scalar.FLOAT,
          "double", CType.Scalar.DOUBLE);

  private final String source;
  private final List<DeclTokenizer.Token> tokens;
  private int pos;
  private final Map<String, CType> typedefs = new HashMap<>();
  private final Set<String> enumNames = new java.util.HashSet<>();
  private final Set<String> structNames = new java.util.HashSet<>();

  private DeclParser(String source, List<DeclTokenizer.Token> tokens) {
    this.source = source;
    this.tokens = tokens;
  }

  /** Parses {@code text}, read from the file called {@code source} (used in messages). */
  static HeaderDecl parse(String source, String text) {
    return new DeclParser(source, DeclTokenizer.tokenize(source, text)).header();
  }

  private HeaderDecl header() {
    expectWord("library");
    String name = identifier();
    String soname = next().text();
    var tds = new ArrayList<Typedef>();
    var enums = new ArrayList<EnumDecl>();
    var structs = new ArrayList<StructDecl>();
    var functions = new ArrayList<FunctionDecl>();
    while (pos < tokens.size()) {
      String head = peek().text();
      if (head.equals("typedef")) {
        tds.add(typedef());
      } else if (head.equals("enum") && lookahead(2).equals("{")) {
        enums.add(enumDecl());
      } else if (head.equals("struct") && lookahead(2).equals("{")) {
        structs.add(structDecl());
      } else {
        functions.add(function());
      }
    }
    return new HeaderDecl(name, soname, source, tds, enums, structs, functions);
  }

  private Typedef typedef() {
    int line = next().line();
    List<String> words = typeWordsThenName(";");
    String name = words.removeLast();
    CType type = resolve(words, line);
    expect(";");
    typedefs.put(name, type);
    return new Typedef(name, type, cText(words) + " " + name);
  }

  private EnumDecl enumDecl() {
    next();
    String name = identifier();
    enumNames.add(name);
    expect("{");
    var constants = new ArrayList<Constant>();
    while (!peek().text().equals("}")) {
      String constant = identifier();
      expect("=");
      var value = next();
      try {
        constants.add(new Constant(constant, Long.decode(value.text())));
      } catch (NumberFormatException e) {
        throw error(value.line(), "enum value of " + constant + " must be an integer, not '" + value.text() + "'");
      }
      if (peek().text().equals(",")) {
        next();
      }
    }
    expect("}");
    expect(";");
    return new EnumDecl(name, constants);
  }

  private StructDecl structDecl() {
    next();
    String name = identifier();
    expect("{");
    var fields = new ArrayList<Field>();
    while (!peek().text().equals("}")) {
      int line = peek().line();
      List<String> words = typeWordsThenName(";[");
      String field = words.removeLast();
      if (!(resolve(words, line) instanceof CType.Scalar scalar)) {
        throw error(line, "struct field " + name + "." + field + " must be a scalar or pointer");
      }
      int count = 0;
      String suffix = "";
      if (peek().text().equals("[")) {
        next();
        count = Integer.parseInt(next().text());
        expect("]");
        suffix = "[" + count + "]";
      }
      expect(";");
      fields.add(new Field(field, scalar, count, cText(words) + " " + field + suffix));
    }
    expect("}");
    expect(";");
    structNames.add(name);
    return new StructDecl(name, fields);
  }

  private FunctionDecl function() {
    int line = peek().line();
    List<String> words = typeWordsThenName("(");
    String name = words.removeLast();
    CType returnType = words.equals(List.of("void")) ? CType.Void.VOID : resolve(words, line);
    expect("(");
    var params = new ArrayList<Param>();
    var cParams = new ArrayList<String>();
    if (peek().text().equals("void") && lookahead(1).equals(")")) {
      next();
      cParams.add("void");
    }
    while (!peek().text().equals(")")) {
      int paramLine = peek().line();
      List<String> paramWords = typeWordsThenName(",)");
      String paramName = paramWords.removeLast();
      params.add(new Param(resolve(paramWords, paramLine), paramName));
      cParams.add(cText(paramWords) + " " + paramName);
      if (peek().text().equals(",")) {
        next();
      }
    }
    expect(")");
    expect(";");
    String c = cText(words) + " " + name + "(" + String.join(", ", cParams) + ")";
    return new FunctionDecl(returnType, name, params, c);
  }

  /** Reads type words and stars up to one of {@code stops}; the last word is the declared name. */
  private List<String> typeWordsThenName(String stops) {
    var words = new ArrayList<String>();
    while (pos < tokens.size() && stops.indexOf(peek().text().charAt(0)) < 0) {
      words.add(next().text());
    }
    if (words.size() < 2 || words.getLast().equals("*")) {
      int line = pos < tokens.size() ? peek().line() : tokens.getLast().line();
      throw error(line, "expected a type and a name before '" + stops.charAt(0) + "', got '" + String.join(" ", words) + "'");
    }
    return words;
  }

  private CType resolve(List<String> words, int line) {
    if (words.contains("*")) {
      return CType.Scalar.POINTER;
    }
    String base = String.join(" ", words.stream().filter(w -> !QUALIFIERS.contains(w)).toList());
    if (SCALARS.containsKey(base)) {
      return SCALARS.get(base);
    }
    if (typedefs.containsKey(base)) {
      return typedefs.get(base);
    }
    if (enumNames.contains(base)) {
      return CType.Scalar.INT;
    }
    if (structNames.contains(base)) {
      return new CType.StructRef(base);
    }
    throw error(line, "unknown type '" + base + "'; declare it with typedef, enum or struct first");
  }

  private static String cText(List<String> words) {
    return String.join(" ", words).replace(" *", "*");
  }

  private DeclTokenizer.Token next() {
    if (pos >= tokens.size()) {
      throw error(tokens.isEmpty() ? 1 : tokens.getLast().line(), "unexpected end of file");
    }
    return tokens.get(pos++);
  }

  private DeclTokenizer.Token peek() {
    if (pos >= tokens.size()) {
      throw error(tokens.isEmpty() ? 1 : tokens.getLast().line(), "unexpected end of file");
    }
    return tokens.get(pos);
  }

  private String lookahead(int k) {
    return pos + k < tokens.size() ? tokens.get(pos + k).text() : "";
  }

  private String identifier() {
    var token = next();
    if (!Character.isJavaIdentifierStart(token.text().charAt(0))) {
      throw error(token.line(), "expected a name, got '" + token.text() + "'");
    }
    return token.text();
  }

  private void expect(String text) {
    var token = next();
    if (!token.text().equals(text)) {
      throw error(token.line(), "expected '" + text + "', got '" + token.text() + "'");
    }
  }

  private void expectWord(String word) {
    if (pos >= tokens.size() || !peek().text().equals(word)) {
      throw error(pos < tokens.size() ? peek().line() : 1, "a declaration file starts with 'library <name> <soname>'");
    }
    next();
  }

  private DeclException error(int line, String message) {
    return new DeclException(source + ":" + line + ": " + message);
  }
}
