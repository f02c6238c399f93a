package io.nrj.runtime.cuda;

import io.nrj.runtime.cuda.cheader.AbiClassifier;
import io.nrj.runtime.cuda.cheader.AbiType;
import io.nrj.runtime.cuda.cheader.CDeclarationScanner;
import io.nrj.runtime.cuda.cheader.CExpression;
import io.nrj.runtime.cuda.cheader.CModel;
import io.nrj.runtime.cuda.cheader.CModel.Declarator;
import io.nrj.runtime.cuda.cheader.CPreprocessor;
import io.nrj.runtime.cuda.cheader.CToken;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Compares a {@code .decl} file's declarations with the real headers' by x86-64 ABI: each
 * function's return and parameter classes and count, each constant's value, each struct's fields
 * and layout, each typedef's class. Returns every mismatch as one line naming the declaration, the
 * position and both sides; an empty list means the bindings agree with the headers.
 *
 * <p>Parameter names must match too: not ABI, but with enums declared as {@code int} the names are
 * what shows two same-class parameters are in the header's order. Not checked: signedness and
 * pointee types (the linker passes every pointer alike), and whether the symbol is exported (that
 * is {@link DeclaredSymbolsTest}).
 */
final class HeaderAgreement {
  private final String declName;
  private final CModel decl;
  private final CModel header;
  private final AbiClassifier declAbi;
  private final AbiClassifier headerAbi;

  HeaderAgreement(String declName, CModel decl, CModel header) {
    this.declName = declName;
    this.decl = decl;
    this.header = header;
    this.declAbi = new AbiClassifier(decl);
    this.headerAbi = new AbiClassifier(header);
  }

  /**
   * Reads a {@code .decl} file's text: a C subset plus {@code #} comments and a {@code library}
   * line.
   */
  static CModel parseDecl(String name, String text) {
    String c = text.replaceAll("(?m)#.*$", "").replaceAll("(?m)^\\s*library\\s.*$", "");
    var scanner = CDeclarationScanner.scanWithReport(CPreprocessor.runText(name, c, List.of()));
    if (!scanner.skipped.isEmpty()) {
      // A declaration the scanner cannot read would silently escape the check.
      throw new IllegalArgumentException(name + ": unreadable declarations " + scanner.skipped);
    }
    return scanner.model();
  }

  List<String> functions() {
    var out = new ArrayList<String>();
    for (CModel.Function f : decl.functions.values()) {
      CModel.Function h = header.functions.get(f.name());
      CPreprocessor.Macro alias = header.preprocessed.macros().get(f.name());
      if (alias != null && alias.params() == null && alias.body().size() == 1) {
        out.add(
            f.name()
                + ": the headers #define "
                + f.name()
                + " as "
                + alias.body().getFirst()
                + "; bind the exported symbol "
                + alias.body().getFirst()
                + " instead");
        continue;
      }
      if (h == null) {
        out.add(f.name() + ": no prototype in the headers");
        continue;
      }
      compare(out, f.name() + " return type", f.returns(), h.returns(), false);
      if (h.variadic() != f.variadic()) {
        out.add(
            f.name()
                + ": header "
                + h.where().where()
                + " is "
                + (h.variadic() ? "" : "not ")
                + "variadic");
      }
      if (f.params().size() != h.params().size()) {
        out.add(
            f.name()
                + ": "
                + f.params().size()
                + " parameters declared, header "
                + h.where().where()
                + " has "
                + h.params().size()
                + " ("
                + texts(h.params())
                + ")");
        continue;
      }
      for (int i = 0; i < f.params().size(); i++) {
        Declarator p = f.params().get(i);
        Declarator q = h.params().get(i);
        compare(out, f.name() + " parameter #" + (i + 1) + " (" + p.name() + ")", p, q, true);
        // Not ABI, but the .decl declares enums as int, so the name is all that shows two
        // same-class parameters (cudnnSetFilter4dDescriptor's dataType, format) in header order.
        if (p.name() != null && q.name() != null && !p.name().equals(q.name())) {
          out.add(
              f.name()
                  + " parameter #"
                  + (i + 1)
                  + ": declared name '"
                  + p.name()
                  + "', header "
                  + q.where().where()
                  + " names it '"
                  + q.name()
                  + "' (parameters out of order?)");
        }
      }
    }
    return out;
  }

  private void compare(
      List<String> out, String what, Declarator ours, Declarator theirs, boolean param) {
    AbiType a = classify(out, what + " (declared)", () -> declAbi.parameter(ours));
    AbiType b =
        classify(
            out,
            what + " (header " + theirs.where().where() + ")",
            () -> headerAbi.parameter(theirs));
    if (a != null && b != null && !a.sameAbi(b)) {
      out.add(
          what
              + ": declared '"
              + ours.typeText()
              + "' ("
              + a.describe()
              + "), header "
              + theirs.where().where()
              + " has '"
              + theirs.typeText()
              + (param && theirs.name() != null ? " " + theirs.name() : "")
              + "' ("
              + b.describe()
              + ")");
    }
  }

  private static AbiType classify(List<String> out, String what, Supplier<AbiType> f) {
    try {
      return f.get();
    } catch (AbiClassifier.Unresolved e) {
      out.add(what + ": " + e.getMessage());
      return null;
    }
  }

  List<String> constants() {
    var out = new ArrayList<String>();
    for (CModel.Enumerator e : decl.enumerators.values()) {
      if (!header.enumerators.containsKey(e.name())
          && !header.preprocessed.macros().containsKey(e.name())) {
        out.add(e.name() + ": not in the headers (neither an enumerator nor a #define)");
        continue;
      }
      try {
        long theirs = header.constant(e.name());
        if (e.value() == null || theirs != e.value()) {
          out.add(
              e.name()
                  + ": declared "
                  + e.value()
                  + ", header has "
                  + theirs
                  + " ("
                  + header.constantOrigin(e.name())
                  + ")");
        }
      } catch (CExpression.Unevaluable x) {
        out.add(
            e.name()
                + ": cannot evaluate the header's value ("
                + header.constantOrigin(e.name())
                + "): "
                + x.getMessage());
      }
    }
    return out;
  }

  List<String> structs() {
    var out = new ArrayList<String>();
    for (String tag : decl.aggregates.keySet()) {
      CToken place = decl.aggregates.get(tag).where();
      Declarator named = new Declarator(List.of(tag), 0, List.of(), false, tag, -1, place);
      AbiType ours = classify(out, "struct " + tag + " (declared)", () -> declAbi.value(named));
      AbiType theirs;
      if (header.typedefs.containsKey(tag) || header.aggregates.containsKey(tag)) {
        theirs = classify(out, "struct " + tag + " (header)", () -> headerAbi.value(named));
      } else {
        out.add("struct " + tag + ": not in the headers");
        continue;
      }
      if (ours instanceof AbiType.Struct a && theirs instanceof AbiType.Struct b) {
        compareFields(out, tag, a, b);
      } else if (theirs != null && ours != null) {
        out.add("struct " + tag + ": header type is " + theirs.describe());
      }
    }
    return out;
  }

  private static void compareFields(
      List<String> out, String tag, AbiType.Struct a, AbiType.Struct b) {
    int n = Math.max(a.fields().size(), b.fields().size());
    for (int i = 0; i < n; i++) {
      AbiType.Field f = i < a.fields().size() ? a.fields().get(i) : null;
      AbiType.Field g = i < b.fields().size() ? b.fields().get(i) : null;
      boolean same =
          f != null
              && g != null
              && f.type().sameAbi(g.type())
              && f.count() == g.count()
              && f.offset() == g.offset()
              && java.util.Objects.equals(f.name(), g.name());
      if (!same) {
        out.add(
            "struct "
                + tag
                + " field #"
                + (i + 1)
                + ": declared "
                + field(f)
                + ", header has "
                + field(g));
      }
    }
    if (a.size() != b.size()) {
      out.add("struct " + tag + ": declared size " + a.size() + " bytes, header's is " + b.size());
    }
  }

  private static String field(AbiType.Field f) {
    return f == null
        ? "nothing"
        : "'"
            + f.name()
            + "' "
            + f.type().describe()
            + (f.count() != 1 ? "[" + f.count() + "]" : "")
            + " at offset "
            + f.offset();
  }

  List<String> typedefs() {
    var out = new ArrayList<String>();
    for (Declarator td : decl.typedefs.values()) {
      Declarator theirs = header.typedefs.get(td.name());
      if (theirs == null) {
        out.add("typedef " + td.name() + ": not in the headers");
        continue;
      }
      compare(out, "typedef " + td.name(), td, theirs, false);
    }
    return out;
  }

  private static String texts(List<Declarator> params) {
    return String.join(
        ", ",
        params.stream().map(p -> p.typeText() + (p.name() == null ? "" : " " + p.name())).toList());
  }

  String declName() {
    return declName;
  }
}
