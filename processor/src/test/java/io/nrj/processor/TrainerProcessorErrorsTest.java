package io.nrj.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.nio.file.Path;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Misuse of {@code @NrSpec} that needs no DSL: each failure is reported with its code on the
 * element, annotation and value at fault, and never escapes as an exception.
 */
class TrainerProcessorErrorsTest {
  @TempDir Path specDir;

  private Compilation compile(JavaFileObject source) {
    return javac()
        .withProcessors(new TrainerProcessor())
        .withOptions("-Anr.dir=" + specDir)
        .compile(source);
  }

  @Test
  void reportsMissingSpecFileOnTheValue() {
    JavaFileObject src =
        JavaFileObjects.forSourceString(
            "test.ErroneousMissing",
            """
            package test;

            import io.nrj.processor.api.NrSpec;

            @NrSpec("nowhere.nr")
            interface ErroneousMissing {}
            """);
    Compilation c = compile(src);
    assertThat(c).failed();
    assertThat(c).hadErrorCount(1);
    assertThat(c).hadErrorContaining("[NR-GEN-201] cannot find the .nr file 'nowhere.nr'").inFile(src)
        .onLineContaining("@NrSpec(\"nowhere.nr\")");
    assertThat(c).hadErrorContaining("-Anr.dir=" + specDir);
  }

  @Test
  void rejectsNrSpecOnAClass() {
    JavaFileObject src =
        JavaFileObjects.forSourceString(
            "test.ErroneousOnClass",
            """
            package test;

            import io.nrj.processor.api.NrSpec;

            @NrSpec("lenet5.nr")
            final class ErroneousOnClass {}
            """);
    Compilation c = compile(src);
    assertThat(c)
        .hadErrorContaining(
            "[NR-GEN-206] @NrSpec belongs on an interface or a package, not on a class"
                + " (ErroneousOnClass)")
        .inFile(src)
        .onLineContaining("@NrSpec(");
  }

  @Test
  void rejectsEmptyFileName() {
    JavaFileObject src =
        JavaFileObjects.forSourceString(
            "test.ErroneousEmpty",
            """
            package test;

            import io.nrj.processor.api.NrSpec;

            @NrSpec(" ")
            interface ErroneousEmpty {}
            """);
    assertThat(compile(src))
        .hadErrorContaining("[NR-GEN-207] @NrSpec needs a file name")
        .inFile(src)
        .onLineContaining("@NrSpec(\" \")");
  }

  @Test
  void keepsGoingAfterOneBadElement() {
    JavaFileObject a =
        JavaFileObjects.forSourceString(
            "test.ErroneousA", "package test; @io.nrj.processor.api.NrSpec(\"a.nr\") interface ErroneousA {}");
    JavaFileObject b =
        JavaFileObjects.forSourceString(
            "test.ErroneousB", "package test; @io.nrj.processor.api.NrSpec(\"b.nr\") interface ErroneousB {}");
    Compilation c = javac().withProcessors(new TrainerProcessor()).withOptions("-Anr.dir=" + specDir).compile(a, b);
    assertThat(c).hadErrorCount(2);
    assertThat(c).hadErrorContaining("'a.nr'").inFile(a);
    assertThat(c).hadErrorContaining("'b.nr'").inFile(b);
  }

  @Test
  void reportsATrainerGeneratedTwice() throws Exception {
    java.nio.file.Files.writeString(
        specDir.resolve("one.nr"),
        "network one {\n  input 1x8x8\n  classes 2\n  conv 4 k3 input\n  classifier\n}\n");
    JavaFileObject src =
        JavaFileObjects.forSourceString(
            "test.Holder",
            """
            package test;

            import io.nrj.processor.api.NrSpec;

            final class Holder {
              @NrSpec("one.nr") interface First {}
              @NrSpec("one.nr") interface ErroneousSecond {}
            }
            """);
    assertThat(compile(src))
        .hadErrorContaining("[NR-GEN-208] the trainer test.OneTrainer is generated twice (also from")
        .inFile(src)
        .onLineContaining("interface ErroneousSecond");
  }
}
