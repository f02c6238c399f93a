package io.nrj.runtime.cuda.cheader;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CPreprocessorTest {
  private static String run(String text) {
    return CExpression.text(CPreprocessor.runText("t.h", text, List.of()).tokens());
  }

  @Test
  void takesTheBranchesACCompilerOnLinuxTakes() {
    String text =
        """
        #if defined(__cplusplus)
        extern "C" {
        #endif
        #if defined(_WIN32)
        #define API __stdcall
        #elif defined(__GNUC__) && __GNUC__ >= 4
        #define API gnu
        #else
        #define API other
        #endif
        int API f(void);
        #ifdef __cplusplus
        }
        #endif
        """;
    assertEquals("int gnu f ( void ) ;", run(text));
  }

  @Test
  void expandsFunctionLikeMacrosSoDefaultArgumentsVanish() {
    String text =
        """
        #define __dv(v)
        #define __location__(a) __attribute__((a))
        #define __host__ \\
                __location__(host)
        extern __host__ int g(unsigned long long flags __dv(0),
                              int x);
        """;
    assertEquals(
        "extern __attribute__ ( ( host ) ) int g ( unsigned long long flags , int x ) ;",
        run(text));
  }

  @Test
  void aMacroIsFunctionLikeOnlyWhenTheParenthesisTouchesItsName() {
    String text =
        """
        #define ONE (1)
        #define TWICE(x) ((x) * 2)
        int a[ONE + TWICE(3)];
        """;
    assertEquals("int a [ ( 1 ) + ( ( 3 ) * 2 ) ] ;", run(text));
  }

  @Test
  void dropsCommentsIncludingOnesSpanningLines() {
    assertEquals("int a ; int b ;", run("int a; /* one\n two */ int b; // three\n"));
  }

  @Test
  void followsIncludesOnceAndListsTheOnesItCannotFind(@TempDir Path dir) throws IOException {
    Files.writeString(
        dir.resolve("a.h"), "#include \"b.h\"\n#include <stdlib.h>\n#include \"b.h\"\nint a;\n");
    Files.writeString(dir.resolve("b.h"), "#ifndef B_H\n#define B_H\nint b;\n#endif\n");
    CPreprocessor.Result r = CPreprocessor.run(List.of(dir), "a.h");
    assertEquals("int b ; int a ;", CExpression.text(r.tokens()));
    assertEquals(List.of("stdlib.h"), r.missingIncludes());
  }
}
