package io.nrj.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor end to end on real {@code .nr} files: golden trainers for LeNet-5 and a small
 * residual network, DSL errors reported on the annotation value with the spec's {@code
 * file:line:col}, and the zero-configuration lookup of {@code src/main/nr/}.
 */
class TrainerProcessorTest {
  @TempDir Path tmp;

  private static Path specs() throws URISyntaxException {
    return Path.of(TrainerProcessorTest.class.getResource("/specs/lenet5.nr").toURI()).getParent();
  }

  private static Compilation compile(Path specDir, JavaFileObject... sources) {
    return javac()
        .withProcessors(new TrainerProcessor())
        .withOptions("-Anr.dir=" + specDir, "-Xlint:all,-processing", "--release", "25")
        .compile(sources);
  }

  private static String generated(Compilation c, String qualifiedName) throws IOException {
    return c.generatedSourceFile(qualifiedName).orElseThrow().getCharContent(false).toString();
  }

  @Test
  void generatesLenet5FromNrSpec() throws Exception {
    Compilation c =
        compile(
            specs(),
            JavaFileObjects.forSourceString(
                "test.Lenet5", "package test; @io.nrj.processor.api.NrSpec(\"lenet5.nr\") interface Lenet5 {}"));
    assertThat(c).succeededWithoutWarnings();
    Goldens.assertMatches(
        "TrainerProcessorTest", "generatesLenet5FromNrSpec", "test.Lenet5Trainer",
        generated(c, "test.Lenet5Trainer"));
  }

  @Test
  void generatesTinyResnetFromNrSpec() throws Exception {
    Compilation c =
        compile(
            specs(),
            JavaFileObjects.forSourceString(
                "test.Tiny", "package test; @io.nrj.processor.api.NrSpec(\"tiny_resnet.nr\") interface Tiny {}"));
    assertThat(c).succeededWithoutWarnings();
    Goldens.assertMatches(
        "TrainerProcessorTest", "generatesTinyResnetFromNrSpec", "test.TinyResnetTrainer",
        generated(c, "test.TinyResnetTrainer"));
  }

  @Test
  void reportsDslErrorWithSpecPositionOnTheValue() throws IOException {
    Files.writeString(
        tmp.resolve("bad.nr"),
        """
        network bad {
          input 1x28x28
          classes 10
          convv 20 k5
          classifier
        }
        """);
    JavaFileObject src =
        JavaFileObjects.forSourceString(
            "test.ErroneousSpec",
            """
            package test;

            import io.nrj.processor.api.NrSpec;

            @NrSpec(value = "bad.nr")
            interface ErroneousSpec {}
            """);
    Compilation c = compile(tmp, src);
    assertThat(c).failed();
    assertThat(c)
        .hadErrorContaining("[NR-GEN-202] " + tmp.resolve("bad.nr") + ":4:3: error: [NR-DSL-")
        .inFile(src)
        .onLineContaining("@NrSpec(value = \"bad.nr\")");
  }

  @Test
  void reportsUnknownNetworkOnTheNetworksValue() throws Exception {
    JavaFileObject src =
        JavaFileObjects.forSourceString(
            "test.ErroneousNetworks",
            """
            package test;

            import io.nrj.processor.api.NrSpec;

            @NrSpec(
                value = "lenet5.nr",
                networks = {"lenet6"})
            interface ErroneousNetworks {}
            """);
    assertThat(compile(specs(), src))
        .hadErrorContaining("[NR-GEN-205] ")
        .inFile(src)
        .onLineContaining("networks = {\"lenet6\"}");
    assertThat(compile(specs(), src)).hadErrorContaining("has no network 'lenet6'; known networks: [lenet5]");
  }

  /**
   * A plain Maven layout needs no {@code -Anr.dir}: javac writes to {@code target/classes} and the
   * processor finds {@code src/main/nr/} above it.
   */
  @Test
  void findsSpecUnderSrcMainNrWithoutOptions() throws Exception {
    Path project = tmp.resolve("project");
    Path nr = Files.createDirectories(project.resolve("src/main/nr"));
    Files.copy(specs().resolve("lenet5.nr"), nr.resolve("lenet5.nr"));
    Path java = Files.createDirectories(project.resolve("src/main/java/demo"));
    Files.writeString(
        java.resolve("Lenet.java"),
        "package demo; @io.nrj.processor.api.NrSpec(\"lenet5.nr\") interface Lenet {}");
    Path classes = Files.createDirectories(project.resolve("target/classes"));
    Path sources = Files.createDirectories(project.resolve("target/generated-sources/annotations"));
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    int rc =
        compiler.run(
            null, null, null,
            "-d", classes.toString(), "-s", sources.toString(),
            "-classpath", System.getProperty("java.class.path"),
            "-processor", TrainerProcessor.class.getName(),
            java.resolve("Lenet.java").toString());
    assertEquals(0, rc, "javac failed");
    assertTrue(Files.isRegularFile(sources.resolve("demo/Lenet5Trainer.java")));
    assertTrue(Files.isRegularFile(classes.resolve("demo/Lenet5Trainer.class")));
  }
}
