package io.nrj.runtime.cuda.cheader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class CDeclarationScannerTest {
  private static CModel scan(String text) {
    return CDeclarationScanner.scan(CPreprocessor.runText("t.h", text, List.of()));
  }

  private static String classes(CModel m, String function) {
    var abi = new AbiClassifier(m);
    CModel.Function f = m.functions.get(function);
    return abi.value(f.returns()).describe()
        + " <- "
        + String.join(", ", f.params().stream().map(p -> abi.parameter(p).describe()).toList());
  }

  @Test
  void readsAMultiLineDecoratedPrototype() {
    CModel m =
        scan(
            """
            #define LIBAPI
            #define __dv(v)
            typedef enum libError { libSuccess = 0 } libError_t;
            typedef struct queue_st *queue_t;
            struct size3 { unsigned int x, y, z; };
            typedef struct size3 size3;
            extern __host__ libError_t LIBAPI launch(const void *fn,
                size3 grid, size3 block, void **args, size_t scratch __dv(0), queue_t queue);
            """);
    assertEquals(
        "32-bit int <- pointer, struct size3 (12 bytes), struct size3 (12 bytes), pointer, 64-bit"
            + " int, pointer",
        classes(m, "launch"));
    assertEquals(
        List.of("fn", "grid", "block", "args", "scratch", "queue"),
        m.functions.get("launch").params().stream().map(CModel.Declarator::name).toList());
  }

  @Test
  void readsAbstractParametersAndFunctionPointers() {
    CModel m =
        scan(
            """
            typedef void (CUDART_CB *callback_t)(void *userData);
            const char* name(int, unsigned long long);
            double scale(float f, callback_t fn, const char *const *names, long n, short s);
            """);
    assertEquals("pointer <- 32-bit int, 64-bit int", classes(m, "name"));
    assertEquals("double <- float, pointer, pointer, 64-bit int, 16-bit int", classes(m, "scale"));
    assertNull(m.functions.get("name").params().getFirst().name());
  }

  @Test
  void evaluatesImplicitExplicitHexShiftedAndReferencedEnumerators() {
    CModel m =
        scan(
            """
            #define BASE 0x10
            typedef enum { A, B, C = 1 << 3, D, E = C | BASE, F = -1, G = (int)7 } flags_t;
            enum late { H = F + 2 };
            """);
    assertEquals(
        List.of(0L, 1L, 8L, 9L, 24L, -1L, 7L, 1L),
        List.of("A", "B", "C", "D", "E", "F", "G", "H").stream().map(m::constant).toList());
    assertEquals(16L, m.constant("BASE"));
  }

  @Test
  void saysWhyAnEnumeratorHasNoValue() {
    CModel m = scan("enum e { A = sizeof(int), B };");
    var e = assertThrows(CExpression.Unevaluable.class, () -> m.constant("B"));
    assertEquals("B at t.h:1 follows A, whose value is unknown", e.getMessage());
    assertEquals(
        "A = sizeof ( int ) at t.h:1: 'sizeof' has no known value",
        assertThrows(CExpression.Unevaluable.class, () -> m.constant("A")).getMessage());
  }

  @Test
  void laysStructsOutWithNaturalAlignment() {
    CModel m =
        scan(
            """
            typedef enum { S0 } status_t;
            typedef struct rec { int a; status_t b; float c; size_t d;
                                 int e; int f; int spare[3]; } rec_t;
            typedef struct { char c; double d; union { int i; char b[6]; } u; } mixed_t;
            """);
    var abi = new AbiClassifier(m);
    // d (8 bytes) is aligned up from 12 to 16; 44 bytes round up to 48.
    var rec =
        (AbiType.Struct)
            abi.value(new CModel.Declarator(List.of("rec_t"), 0, List.of(), false, "r", -1, null));
    assertEquals(48, rec.size());
    assertEquals(
        List.of(0L, 4L, 8L, 16L, 24L, 28L, 32L),
        rec.fields().stream().map(AbiType.Field::offset).toList());
    assertEquals(3, rec.fields().getLast().count());
    var mixed =
        (AbiType.Struct)
            abi.value(
                new CModel.Declarator(List.of("mixed_t"), 0, List.of(), false, "m", -1, null));
    assertEquals(24, mixed.size()); // c@0, d@8, u (8 bytes, 4-aligned)@16
  }

  @Test
  void sizesAnEnumAsGccDoes() {
    CModel m =
        scan(
            "enum small { X = 0xFFFFFFFF }; enum big { Y = 0x100000000 }; enum small f(enum big"
                + " b);");
    assertEquals("32-bit int <- 64-bit int", classes(m, "f"));
  }
}
