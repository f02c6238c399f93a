package io.nrj.processor.ffm;

/**
 * A C type as the bindings see it: what the FFM linker needs to pass it, nothing more. Every
 * pointer is one {@link Scalar#POINTER} whatever it points to; enums and their typedefs are
 * {@link Scalar#INT}.
 */
sealed interface CType permits CType.Scalar, CType.StructRef, CType.Void {

  /** A scalar passed in a register: its jextract layout constant and Java carrier type. */
  enum Scalar implements CType {
    INT("C_INT", "int", 4),
    LONG_LONG("C_LONG_LONG", "long", 8),
    FLOAT("C_FLOAT", "float", 4),
    DOUBLE("C_DOUBLE", "double", 8),
    POINTER("C_POINTER", "MemorySegment", 8);

    final String layout;
    final String javaType;
    final int size;

    Scalar(String layout, String javaType, int size) {
      this.layout = layout;
      this.javaType = javaType;
      this.size = size;
    }
  }

  /** A struct passed by value (cudaLaunchKernel's dim3). */
  record StructRef(String name) implements CType {}

  /** The return type {@code void}. */
  enum Void implements CType {
    VOID
  }
}
