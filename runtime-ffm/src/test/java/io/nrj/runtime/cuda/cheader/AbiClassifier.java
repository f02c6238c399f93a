package io.nrj.runtime.cuda.cheader;

import io.nrj.runtime.cuda.cheader.CModel.Declarator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resolves a declarator of a {@link CModel} to its {@link AbiType} on x86-64 Linux: follows
 * typedefs, sizes enums as GCC does (int unless a value needs more), lays structs out with natural
 * alignment. A type it cannot resolve is an {@link Unresolved} naming it, never a guess.
 */
public final class AbiClassifier {
  private static final Map<String, AbiType.Scalar> STANDARD_TYPEDEFS =
      Map.ofEntries(
          Map.entry("size_t", AbiType.Scalar.INT64),
          Map.entry("ssize_t", AbiType.Scalar.INT64),
          Map.entry("ptrdiff_t", AbiType.Scalar.INT64),
          Map.entry("intptr_t", AbiType.Scalar.INT64),
          Map.entry("uintptr_t", AbiType.Scalar.INT64),
          Map.entry("int64_t", AbiType.Scalar.INT64),
          Map.entry("uint64_t", AbiType.Scalar.INT64),
          Map.entry("int32_t", AbiType.Scalar.INT32),
          Map.entry("uint32_t", AbiType.Scalar.INT32),
          Map.entry("int16_t", AbiType.Scalar.INT16),
          Map.entry("uint16_t", AbiType.Scalar.INT16),
          Map.entry("int8_t", AbiType.Scalar.INT8),
          Map.entry("uint8_t", AbiType.Scalar.INT8),
          Map.entry("wchar_t", AbiType.Scalar.INT32),
          Map.entry("bool", AbiType.Scalar.INT8));

  /** A type the classifier cannot resolve, with the reason. */
  public static final class Unresolved extends RuntimeException {
    Unresolved(String message) {
      super(message);
    }
  }

  private final CModel model;
  private final Set<String> inProgress = new HashSet<>();

  public AbiClassifier(CModel model) {
    this.model = model;
  }

  /** A parameter's type: arrays and functions decay to pointers. */
  public AbiType parameter(Declarator d) {
    if (d.function() || d.pointers() > 0 || !d.arrayDims().isEmpty()) {
      return AbiType.Scalar.POINTER;
    }
    return base(d.specifiers(), d.where());
  }

  /** A return type or typedef'd type, without array decay. */
  public AbiType value(Declarator d) {
    return parameter(d);
  }

  /**
   * A field: its element type and element count (product of array lengths, typedef'd arrays
   * included).
   */
  public AbiType.Field field(Declarator d, long offset) {
    if (d.bitWidth() >= 0) {
      throw new Unresolved("bit-field " + d.name() + " at " + d.where().where());
    }
    long count = count(d);
    AbiType type =
        d.function() || d.pointers() > 0 ? AbiType.Scalar.POINTER : base(d.specifiers(), d.where());
    if (d.pointers() == 0 && !d.function() && typedefArray(d.specifiers()) != null) {
      Declarator td = typedefArray(d.specifiers());
      count *= count(td);
    }
    return new AbiType.Field(d.name(), type, count, offset);
  }

  private Declarator typedefArray(List<String> specifiers) {
    List<String> words = significant(specifiers);
    if (words.size() == 1 && model.typedefs.containsKey(words.getFirst())) {
      Declarator td = model.typedefs.get(words.getFirst());
      return td.arrayDims().isEmpty() || td.pointers() > 0 ? typedefArray(td.specifiers()) : td;
    }
    return null;
  }

  private long count(Declarator d) {
    long n = 1;
    for (List<CToken> dim : d.arrayDims()) {
      try {
        n *= CExpression.evaluate(dim, model::enumeratorValue, model.typedefs::containsKey);
      } catch (CExpression.Unevaluable e) {
        throw new Unresolved(
            "array length of " + d.name() + " at " + d.where().where() + ": " + e.getMessage());
      }
    }
    return n;
  }

  private static List<String> significant(List<String> specifiers) {
    return specifiers.stream().filter(w -> !CDeclarationScanner.QUALIFIERS.contains(w)).toList();
  }

  private AbiType base(List<String> specifiers, CToken where) {
    List<String> words = significant(specifiers);
    if (words.isEmpty()) {
      throw new Unresolved("no type at " + where.where());
    }
    String first = words.getFirst();
    if ((first.equals("struct") || first.equals("union")) && words.size() == 2) {
      return aggregate(words.get(1), where);
    }
    if (first.equals("enum") && words.size() == 2) {
      return enumType(words.get(1));
    }
    if (CDeclarationScanner.TYPE_KEYWORDS.containsAll(words)) {
      return keywords(words, where);
    }
    if (words.size() == 1) {
      String name = first;
      if (model.typedefs.containsKey(name)) {
        Declarator td = model.typedefs.get(name);
        if (!inProgress.add("typedef " + name)) {
          throw new Unresolved("typedef " + name + " refers to itself");
        }
        try {
          return value(td);
        } finally {
          inProgress.remove("typedef " + name);
        }
      }
      if (STANDARD_TYPEDEFS.containsKey(name)) {
        return STANDARD_TYPEDEFS.get(name);
      }
      // The .decl files name structs and enums without the keyword (struct dim3 ... dim3 gridDim).
      if (model.aggregates.containsKey(name)) {
        return aggregate(name, where);
      }
      if (model.enums.containsKey(name)) {
        return enumType(name);
      }
    }
    throw new Unresolved("unknown type '" + String.join(" ", words) + "' at " + where.where());
  }

  private static AbiType keywords(List<String> words, CToken where) {
    var rest = new ArrayList<>(words);
    rest.removeAll(List.of("signed", "unsigned"));
    String key = String.join(" ", rest).replace(" int", "").replace("int ", "");
    return switch (key) {
      case "", "int" -> AbiType.Scalar.INT32;
      case "char", "_Bool" -> AbiType.Scalar.INT8;
      case "short" -> AbiType.Scalar.INT16;
      case "long", "long long" -> AbiType.Scalar.INT64; // LP64: long is 64-bit
      case "float" -> AbiType.Scalar.FLOAT;
      case "double" -> AbiType.Scalar.DOUBLE;
      case "void" -> AbiType.Void.VOID;
      default -> unsupported(words, where);
    };
  }

  private static AbiType unsupported(List<String> words, CToken where) {
    throw new Unresolved("unsupported type '" + String.join(" ", words) + "' at " + where.where());
  }

  /** GCC on x86-64: an enum is int-sized unless a value lies outside [INT_MIN, UINT_MAX]. */
  private AbiType enumType(String tag) {
    for (String name : model.enums.getOrDefault(tag, List.of())) {
      Long v = model.enumeratorValue(name);
      if (v != null && (v < Integer.MIN_VALUE || v > 0xFFFF_FFFFL)) {
        return AbiType.Scalar.INT64;
      }
    }
    return AbiType.Scalar.INT32;
  }

  private AbiType.Struct aggregate(String tag, CToken where) {
    CModel.Aggregate a = model.aggregates.get(tag);
    if (a == null) {
      throw new Unresolved(
          "struct "
              + tag
              + " has no definition in the scanned headers (used at "
              + where.where()
              + ")");
    }
    if (!inProgress.add("struct " + tag)) {
      throw new Unresolved("struct " + tag + " contains itself");
    }
    try {
      var fields = new ArrayList<AbiType.Field>();
      long offset = 0;
      long size = 0;
      long align = 1;
      for (Declarator d : a.fields()) {
        AbiType.Field f = field(d, 0);
        long at = a.union() ? 0 : alignUp(offset, f.type().align());
        fields.add(new AbiType.Field(f.name(), f.type(), f.count(), at));
        long end = at + f.type().size() * f.count();
        offset = end;
        size = Math.max(size, end);
        align = Math.max(align, f.type().align());
      }
      return new AbiType.Struct(tag, a.union(), List.copyOf(fields), alignUp(size, align), align);
    } finally {
      inProgress.remove("struct " + tag);
    }
  }

  private static long alignUp(long n, long align) {
    return (n + align - 1) / align * align;
  }
}
