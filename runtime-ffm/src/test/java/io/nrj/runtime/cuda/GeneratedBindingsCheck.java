package io.nrj.runtime.cuda;

import io.nrj.runtime.cuda.cheader.AbiClassifier;
import io.nrj.runtime.cuda.cheader.AbiType;
import io.nrj.runtime.cuda.cheader.CExpression;
import io.nrj.runtime.cuda.cheader.CModel;
import io.nrj.runtime.cuda.cheader.CModel.Declarator;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The generated {@code *_h} class against the headers, past the {@code .decl} file: each wrapper
 * method's Java carrier types against the header's ABI classes, each constant accessor's value,
 * each struct layout's size and member offsets. Catches a generator bug the drift test cannot (it
 * only compares the generator with itself). Reads nothing that loads the native library.
 */
final class GeneratedBindingsCheck {
  private final CModel decl;
  private final CModel header;
  private final AbiClassifier abi;
  private final Class<?> bindings;

  GeneratedBindingsCheck(CModel decl, CModel header, Class<?> bindings) {
    this.decl = decl;
    this.header = header;
    this.abi = new AbiClassifier(header);
    this.bindings = bindings;
  }

  List<String> functions() {
    var out = new ArrayList<String>();
    for (String name : decl.functions.keySet()) {
      CModel.Function h = header.functions.get(name);
      List<Method> methods =
          Arrays.stream(bindings.getMethods())
              .filter(m -> m.getName().equals(name) && Modifier.isStatic(m.getModifiers()))
              .toList();
      if (h == null || methods.size() != 1) {
        out.add(
            name
                + ": "
                + (h == null
                    ? "no header prototype"
                    : methods.size() + " methods in " + bindings.getSimpleName()));
        continue;
      }
      Method m = methods.getFirst();
      String expected =
          carrier(abi.value(h.returns()))
              + " "
              + name
              + "("
              + String.join(", ", h.params().stream().map(p -> carrier(abi.parameter(p))).toList())
              + ")";
      String actual =
          m.getReturnType().getSimpleName()
              + " "
              + name
              + "("
              + String.join(
                  ", ", Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName).toList())
              + ")";
      if (!expected.equals(actual)) {
        out.add(
            name
                + ": "
                + bindings.getSimpleName()
                + " has "
                + actual
                + ", header "
                + h.where().where()
                + " needs "
                + expected);
      }
    }
    return out;
  }

  /** The Java type the FFM linker maps an ABI class to, as jextract-shaped bindings declare it. */
  private static String carrier(AbiType t) {
    return switch (t) {
      case AbiType.Scalar s ->
          switch (s) {
            case POINTER -> MemorySegment.class.getSimpleName();
            case INT8 -> "byte";
            case INT16 -> "short";
            case INT32 -> "int";
            case INT64 -> "long";
            case FLOAT -> "float";
            case DOUBLE -> "double";
          };
      case AbiType.Struct s -> MemorySegment.class.getSimpleName();
      case AbiType.Void v -> "void";
    };
  }

  List<String> constants() {
    var out = new ArrayList<String>();
    for (String name : decl.enumerators.keySet()) {
      try {
        Object v = bindings.getMethod(name).invoke(null);
        long theirs = header.constant(name);
        if (((Number) v).longValue() != theirs) {
          out.add(
              name
                  + "(): "
                  + bindings.getSimpleName()
                  + " returns "
                  + v
                  + ", header has "
                  + theirs);
        }
      } catch (ReflectiveOperationException | CExpression.Unevaluable e) {
        out.add(name + ": " + e);
      }
    }
    return out;
  }

  List<String> structs() {
    var out = new ArrayList<String>();
    for (String tag : decl.aggregates.keySet()) {
      try {
        Class<?> c =
            Class.forName(bindings.getName() + "$" + tag, false, bindings.getClassLoader());
        GroupLayout layout = (GroupLayout) c.getMethod("layout").invoke(null);
        var named =
            new Declarator(
                List.of(tag), 0, List.of(), false, tag, -1, decl.aggregates.get(tag).where());
        var struct = (AbiType.Struct) abi.value(named);
        if (layout.byteSize() != struct.size()) {
          out.add(
              tag
                  + ".layout(): "
                  + layout.byteSize()
                  + " bytes, header's struct has "
                  + struct.size());
        }
        long members = layout.memberLayouts().stream().filter(l -> l.name().isPresent()).count();
        if (members != struct.fields().size()) {
          out.add(
              tag
                  + ".layout(): "
                  + members
                  + " named members, header's struct has "
                  + struct.fields().size()
                  + " fields");
        }
        for (AbiType.Field f : struct.fields()) {
          long offset = layout.byteOffset(PathElement.groupElement(f.name()));
          long size = layout.select(PathElement.groupElement(f.name())).byteSize();
          if (offset != f.offset() || size != f.type().size() * f.count()) {
            out.add(
                tag
                    + "."
                    + f.name()
                    + ": layout() has "
                    + size
                    + " bytes at "
                    + offset
                    + ", header has "
                    + f.type().size() * f.count()
                    + " at "
                    + f.offset());
          }
        }
      } catch (ReflectiveOperationException | IllegalArgumentException e) {
        out.add(tag + ": " + e);
      }
    }
    return out;
  }
}
