package io.nrj.dsl;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

/** Test helper: a copy of an AST (any record tree) with every SourceLocation set to UNKNOWN. */
final class AstNormalizer {
  private AstNormalizer() {}

  @SuppressWarnings("unchecked")
  static <T> T normalize(T value) {
    return (T) copy(value);
  }

  private static Object copy(Object value) {
    if (value instanceof SourceLocation) return SourceLocation.UNKNOWN;
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      for (Object o : list) out.add(copy(o));
      return List.copyOf(out);
    }
    if (value == null || !value.getClass().isRecord()) return value;
    try {
      RecordComponent[] components = value.getClass().getRecordComponents();
      Object[] args = new Object[components.length];
      Class<?>[] types = new Class<?>[components.length];
      for (int i = 0; i < components.length; i++) {
        types[i] = components[i].getType();
        args[i] = copy(components[i].getAccessor().invoke(value));
      }
      Constructor<?> c = value.getClass().getDeclaredConstructor(types);
      c.setAccessible(true);
      return c.newInstance(args);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }
}
