package io.nrj.runtime.cuda.cheader;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a header (or a {@code .decl} file) declares, as plain data: prototypes, typedefs, struct and
 * enum definitions, enumerators with their evaluated values, and the macros left defined. Built by
 * {@link CDeclarationScanner}; read by {@link AbiClassifier} and the agreement check.
 */
public final class CModel {

  /**
   * One declarator with its type: {@code const char *name}, {@code int reserved[3]}. The base
   * {@code specifiers} keep qualifiers and {@code struct X}/{@code enum X}; anonymous bodies get a
   * tag like {@code <anon cudnn_graph.h:120>}. {@code name} is null in an abstract declarator.
   */
  public record Declarator(
      List<String> specifiers,
      int pointers,
      List<List<CToken>> arrayDims,
      boolean function,
      String name,
      int bitWidth,
      CToken where) {

    /** The type as C text, e.g. {@code const char*}, for messages. */
    public String typeText() {
      return String.join(" ", specifiers)
          + "*".repeat(pointers)
          + (function ? "(*)(...)" : "")
          + arrayDims.stream().map(d -> "[" + CExpression.text(d) + "]").reduce("", String::concat);
    }
  }

  /** A function prototype; {@code returns} carries the function's name. */
  public record Function(
      String name, Declarator returns, List<Declarator> params, boolean variadic, CToken where) {}

  /** A struct or union body, fields in order. */
  public record Aggregate(String tag, boolean union, List<Declarator> fields, CToken where) {}

  /** An enumerator: its value, or why it has none ({@code error}). */
  public record Enumerator(String name, String enumTag, Long value, String error, CToken where) {}

  public final Map<String, Function> functions = new LinkedHashMap<>();
  public final Map<String, Declarator> typedefs = new LinkedHashMap<>();
  public final Map<String, Aggregate> aggregates = new LinkedHashMap<>();

  /** Enum tag to its enumerators' names, in order. */
  public final Map<String, List<String>> enums = new LinkedHashMap<>();

  public final Map<String, Enumerator> enumerators = new LinkedHashMap<>();
  public final CPreprocessor.Result preprocessed;

  CModel(CPreprocessor.Result preprocessed) {
    this.preprocessed = preprocessed;
  }

  /**
   * The value of a constant: an enumerator, else an object-like macro evaluated after expansion.
   *
   * @throws CExpression.Unevaluable when it is neither, or its value cannot be computed
   */
  public long constant(String name) {
    Enumerator e = enumerators.get(name);
    if (e != null) {
      if (e.value() == null) {
        throw new CExpression.Unevaluable(e.error());
      }
      return e.value();
    }
    CPreprocessor.Macro m = preprocessed.macros().get(name);
    if (m == null || m.params() != null) {
      throw new CExpression.Unevaluable(
          name + " is neither an enumerator nor an object-like macro");
    }
    return CExpression.evaluate(
        preprocessed.expand(m.body()), this::enumeratorValue, typedefs::containsKey);
  }

  /** Where a constant is declared, for messages. */
  public String constantOrigin(String name) {
    Enumerator e = enumerators.get(name);
    if (e != null) {
      return "enum " + e.enumTag() + " at " + e.where().where();
    }
    CPreprocessor.Macro m = preprocessed.macros().get(name);
    return m == null ? "nowhere" : "#define " + name + " " + CExpression.text(m.body());
  }

  Long enumeratorValue(String name) {
    Enumerator e = enumerators.get(name);
    return e == null ? null : e.value();
  }
}
