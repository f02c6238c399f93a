package io.nrj.processor.ffm;

import java.util.List;

/**
 * One library's declarations, as read from a {@code .decl} file: the plain model between the
 * declaration text and the generated {@code *_h.java}.
 *
 * @param name the short library name; the generated class is {@code name + "_h"}
 * @param soname the shared object looked up at run time, e.g. {@code libcudnn.so.9}
 * @param source the declaration file's name, quoted in the generated header comment
 */
record HeaderDecl(
    String name,
    String soname,
    String source,
    List<Typedef> typedefs,
    List<EnumDecl> enums,
    List<StructDecl> structs,
    List<FunctionDecl> functions) {

  /** {@code typedef <c> name;} resolved to {@code type}. */
  record Typedef(String name, CType type, String c) {}

  /** {@code enum name { A = 1, ... };} */
  record EnumDecl(String name, List<Constant> constants) {}

  record Constant(String name, long value) {}

  /** {@code struct name { fields };} with C's natural alignment. */
  record StructDecl(String name, List<Field> fields) {}

  /** A struct field; {@code count} is 0 for a scalar and the length for {@code int a[3]}. */
  record Field(String name, CType.Scalar type, int count, String c) {}

  /** A function prototype; {@code c} is the prototype re-printed for the javadoc. */
  record FunctionDecl(CType returnType, String name, List<Param> params, String c) {}

  record Param(CType type, String name) {}
}
