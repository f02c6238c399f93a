package io.nrj.processor.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class DeclParserTest {
  private static final String HEAD = "library demo libdemo.so.1\n";

  @Test
  void readsTypedefsEnumsStructsAndPrototypes() {
    HeaderDecl decl = DeclParser.parse("demo.decl", HEAD + """
        # a comment
        typedef int demoStatus_t;
        typedef void* demoHandle_t;
        enum demoMode { DEMO_A = 0, DEMO_B = 0x10, DEMO_C = -1, };
        struct pair { int a; size_t b; };
        demoStatus_t demoRun(demoHandle_t h, const float* const* xs, size_t n, double eps, enum demoMode m);
        void demoReset(void);
        """);
    assertEquals("demo", decl.name());
    assertEquals("libdemo.so.1", decl.soname());
    assertEquals(List.of(0L, 16L, -1L), decl.enums().getFirst().constants().stream().map(HeaderDecl.Constant::value).toList());
    var run = decl.functions().getFirst();
    assertEquals(CType.Scalar.INT, run.returnType());
    assertEquals(List.of(CType.Scalar.POINTER, CType.Scalar.POINTER, CType.Scalar.LONG_LONG, CType.Scalar.DOUBLE,
        CType.Scalar.INT), run.params().stream().map(HeaderDecl.Param::type).toList());
    assertEquals("demoStatus_t demoRun(demoHandle_t h, const float* const* xs, size_t n, double eps, enum demoMode m)",
        run.c());
    assertEquals(CType.Void.VOID, decl.functions().get(1).returnType());
    assertEquals(List.of(), decl.functions().get(1).params());
  }

  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of("int f(int x);\n", "x.decl:1: a declaration file starts with 'library <name> <soname>'"),
        Arguments.of(HEAD + "\ncudaFoo_t f(int x);\n", "x.decl:3: unknown type 'cudaFoo_t'; declare it with typedef, enum or struct first"),
        Arguments.of(HEAD + "enum e { A = one };\n", "x.decl:2: enum value of A must be an integer, not 'one'"),
        Arguments.of(HEAD + "int f(int);\n", "x.decl:2: expected a type and a name before ',', got 'int'"),
        Arguments.of(HEAD + "int f(int x)\n", "x.decl:2: unexpected end of file"),
        Arguments.of(HEAD + "int f(int x) @\n", "x.decl:2: unexpected character '@'"),
        Arguments.of(HEAD + "struct s { struct s inner; };\n", "x.decl:2: unknown type 's'; declare it with typedef, enum or struct first"));
  }

  @ParameterizedTest
  @MethodSource("errors")
  void reportsFileAndLine(String text, String message) {
    var e = assertThrows(DeclException.class, () -> DeclParser.parse("x.decl", text));
    assertEquals(message, e.getMessage());
  }

  @Test
  void writesPaddingForNaturalAlignmentAndLinksEachFunctionLazily() {
    String java = BindingsGenerator.generate("demo.decl", HEAD + """
        struct perf { int algo; float time; size_t memory; int reserved[3]; };
        int demoGet(struct perf* out);
        """);
    assertTrue(java.contains("""
                    C_INT.withName("algo"),
                    C_FLOAT.withName("time"),
                    C_LONG_LONG.withName("memory"),
                    MemoryLayout.sequenceLayout(3, C_INT).withName("reserved"),
                    MemoryLayout.paddingLayout(4))
        """), java);
    assertTrue(java.contains("""
          private static final class demoGet$Holder {
            static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);

            static final MethodHandle HANDLE =
                Linker.nativeLinker().downcallHandle(findOrThrow("demoGet"), DESC);
          }
        """), java);
    assertTrue(java.contains("() -> new UnsatisfiedLinkError(\"unresolved symbol: \" + symbol + \" in \" + LIBRARY));"));
  }
}
