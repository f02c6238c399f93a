package io.nrj.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import io.nrj.dsl.CompileResult;
import io.nrj.dsl.NrCompiler;
import io.nrj.dsl.SourceLocation;
import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.ScheduleIr;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Front end 2: annotated interfaces yield the same IR as the equivalent {@code .nr} text, and
 * misuse is reported on the method and annotation at fault.
 */
class AnnotatedNetworkTest {
  /** The annotated examples the generated-examples module compiles (one copy, read from there). */
  private static final Path EXAMPLES =
      Path.of("..", "generated-examples", "src", "main", "java", "io", "nrj", "examples", "annotated");

  private static JavaFileObject resource(String name) {
    try {
      return JavaFileObjects.forSourceString(
          "io.nrj.examples.annotated." + name, Files.readString(EXAMPLES.resolve(name + ".java")));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Compilation compile(JavaFileObject... sources) {
    return javac()
        .withProcessors(new TrainerProcessor())
        .withOptions("-Xlint:all,-processing", "--release", "25")
        .compile(sources);
  }

  /** Loads the compiled classes of {@code c} and calls the trainer's static {@code spec()}. */
  private static NetworkIr specOf(Compilation c, String trainer) throws Exception {
    Map<String, byte[]> classes = new HashMap<>();
    for (JavaFileObject f : c.generatedFiles()) {
      if (f.getKind() != JavaFileObject.Kind.CLASS) continue;
      String path = f.toUri().getPath();
      String name = path.substring(path.indexOf("/CLASS_OUTPUT/") + 14, path.length() - 6).replace('/', '.');
      try (InputStream in = f.openInputStream()) {
        classes.put(name, in.readAllBytes());
      }
    }
    ClassLoader loader =
        new ClassLoader(AnnotatedNetworkTest.class.getClassLoader()) {
          @Override
          protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b = classes.get(name);
            if (b == null) throw new ClassNotFoundException(name);
            return defineClass(name, b, 0, b.length);
          }
        };
    return (NetworkIr) loader.loadClass(trainer).getMethod("spec").invoke(null);
  }

  private static CompileResult nrFile(String name) throws IOException {
    try (InputStream in = AnnotatedNetworkTest.class.getResourceAsStream("/specs/" + name)) {
      return NrCompiler.compile(name, new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  @Test
  void annotatedVgg19NrYieldsTheIrOfVgg19NrNr() throws Exception {
    Compilation c = compile(resource("Vgg19Nr"));
    assertThat(c).succeededWithoutWarnings();
    NetworkIr annotated = specOf(c, "io.nrj.examples.annotated.Vgg19NrTrainer");
    CompileResult file = nrFile("vgg19_nr.nr");
    assertEquals(List.of(), file.diagnostics());
    assertEquals(withoutLocations(file.module().network("vgg19_nr").orElseThrow()), withoutLocations(annotated));
  }

  @Test
  void annotatedScheduleYieldsTheScheduleOfVgg19NrNr() throws Exception {
    Compilation c = compile(resource("Vgg19Nr"));
    String source =
        c.generatedSourceFile("io.nrj.examples.annotated.Vgg19NrTrainer").orElseThrow()
            .getCharContent(false).toString();
    // The trainer embeds the rendered text; compile it again and compare its schedule.
    NetworkIr ir = specOf(c, "io.nrj.examples.annotated.Vgg19NrTrainer");
    assertEquals("vgg19_nr", ir.name());
    assertThat(c).generatedSourceFile("io.nrj.examples.annotated.Vgg19NrTrainer")
        .contentsAsUtf8String().contains("public static final String SCHEDULE = \"vgg19_cifar10\";");
    ScheduleIr expected = nrFile("vgg19_nr.nr").module().schedule("vgg19_cifar10").orElseThrow();
    String rendered = extractSource(source);
    ScheduleIr actual = NrCompiler.compile("x.nr", rendered).module().schedule("vgg19_cifar10").orElseThrow();
    assertEquals(withoutLocation(expected), withoutLocation(actual));
  }

  @Test
  void lenetAndResnetAnnotationsCompile() {
    Compilation c = compile(resource("Lenet5"), resource("Resnet20"));
    assertThat(c).succeededWithoutWarnings();
    assertThat(c).generatedSourceFile("io.nrj.examples.annotated.Lenet5AnnotatedTrainer");
    assertThat(c).generatedSourceFile("io.nrj.examples.annotated.Resnet20Trainer");
  }

  @Test
  void reportsDslErrorOnTheLayerMethod() {
    JavaFileObject src =
        JavaFileObjects.forSourceString(
            "test.ErroneousKernel",
            """
            package test;

            import io.nrj.processor.api.*;

            @Network(input = "1x8x8", classes = 2)
            interface ErroneousKernel {
              @Conv(value = 4, input = true) void conv1();
              @Conv(value = 4, kernel = 9, pad = 0) void tooBig();
              @Classifier void classifier();
            }
            """);
    Compilation c = compile(src);
    assertThat(c).failed();
    assertThat(c)
        .hadErrorContaining("[NR-GEN-217] the annotations of ErroneousKernel describe an invalid network")
        .inFile(src)
        .onLineContaining("kernel = 9");
  }

  @Test
  void reportsTwoLayerAnnotationsOnOneMethod() {
    JavaFileObject src =
        JavaFileObjects.forSourceString(
            "test.ErroneousTwo",
            """
            package test;

            import io.nrj.processor.api.*;

            @Network(input = "1x8x8", classes = 2)
            interface ErroneousTwo {
              @Conv(value = 4, input = true)
              @MaxPool(2)
              void both();
              @Classifier void classifier();
            }
            """);
    assertThat(compile(src))
        .hadErrorContaining("[NR-GEN-212] method both has two layer annotations ([@Conv, @MaxPool])")
        .inFile(src)
        .onLineContaining("@MaxPool(2)");
  }

  @Test
  void reportsMissingClassifierOnTheNetworkAnnotation() {
    JavaFileObject src =
        JavaFileObjects.forSourceString(
            "test.ErroneousNoClassifier",
            """
            package test;

            import io.nrj.processor.api.*;

            @Network(input = "1x8x8", classes = 2)
            interface ErroneousNoClassifier {
              @Conv(value = 4, input = true) void conv1();
            }
            """);
    assertThat(compile(src))
        .hadErrorContaining("[NR-GEN-215] network erroneous_no_classifier must end with a method annotated @Classifier")
        .inFile(src)
        .onLineContaining("@Network(");
  }

  @Test
  void reportsScheduleThatIsNotAScheduleOnTheValue() {
    JavaFileObject src =
        JavaFileObjects.forSourceString(
            "test.ErroneousSchedule",
            """
            package test;

            import io.nrj.processor.api.*;

            @Network(
                input = "1x8x8",
                classes = 2,
                schedule = String.class)
            interface ErroneousSchedule {
              @Conv(value = 4, input = true) void conv1();
              @Classifier void classifier();
            }
            """);
    assertThat(compile(src))
        .hadErrorContaining("[NR-GEN-216] java.lang.String is used as a schedule but is not annotated @Schedule")
        .inFile(src)
        .onLineContaining("schedule = String.class");
  }

  @Test
  void reportsRepeatWithoutLayerOnTheMethod() {
    JavaFileObject src =
        JavaFileObjects.forSourceString(
            "test.ErroneousRepeat",
            """
            package test;

            import io.nrj.processor.api.*;

            @Network(input = "1x8x8", classes = 2)
            interface ErroneousRepeat {
              @Conv(value = 4, input = true) void conv1();
              @Repeat(2) void nothing();
              @Classifier void classifier();
            }
            """);
    assertThat(compile(src))
        .hadErrorContaining("[NR-GEN-211] method nothing has @Repeat or @Label but no layer annotation")
        .inFile(src)
        .onLineContaining("void nothing()");
  }

  @Test
  void rejectsNetworkOnAClass() {
    JavaFileObject src =
        JavaFileObjects.forSourceString(
            "test.ErroneousClass",
            """
            package test;

            @io.nrj.processor.api.Network(input = "1x8x8", classes = 2)
            abstract class ErroneousClass {}
            """);
    assertThat(compile(src))
        .hadErrorContaining("[NR-GEN-206] @Network belongs on an interface, not on a class")
        .inFile(src)
        .onLineContaining("@io.nrj.processor.api.Network(");
  }

  /** The value of the generated {@code SOURCE} constant, unescaped. */
  private static String extractSource(String javaSource) {
    int start = javaSource.indexOf("SOURCE = ");
    int end = javaSource.indexOf(";\n", start);
    StringBuilder out = new StringBuilder();
    for (String part : javaSource.substring(start + 9, end).split("\"\\s*\\+\\s*\"")) {
      String p = part.strip();
      if (p.startsWith("\"")) p = p.substring(1);
      if (p.endsWith("\"")) p = p.substring(0, p.length() - 1);
      out.append(p.translateEscapes());
    }
    return out.toString();
  }

  static NetworkIr withoutLocations(NetworkIr n) {
    SourceLocation u = SourceLocation.UNKNOWN;
    List<IrNode> nodes =
        n.nodes().stream()
            .map(
                node ->
                    (IrNode)
                        switch (node) {
                          case IrNode.Conv c ->
                              new IrNode.Conv(c.id(), c.name(), c.inputs(), c.in(), c.out(), c.convIndex(),
                                  c.kernel(), c.stride(), c.pad(), c.relu(), c.isInput(), c.fixed(),
                                  c.splitOutput(), u);
                          case IrNode.Relu r -> new IrNode.Relu(r.id(), r.name(), r.inputs(), r.out(), u);
                          case IrNode.MaxPool p ->
                              new IrNode.MaxPool(p.id(), p.name(), p.inputs(), p.out(), p.kernel(), p.stride(), p.pad(), u);
                          case IrNode.AvgPool p ->
                              new IrNode.AvgPool(p.id(), p.name(), p.inputs(), p.out(), p.kernel(), p.stride(), p.pad(), u);
                          case IrNode.Add a -> new IrNode.Add(a.id(), a.name(), a.inputs(), a.out(), u);
                          case IrNode.Concat c -> new IrNode.Concat(c.id(), c.name(), c.inputs(), c.out(), u);
                          case IrNode.Classifier c ->
                              new IrNode.Classifier(c.id(), c.name(), c.inputs(), c.in(), c.out(), c.classes(), u);
                        })
            .toList();
    return new NetworkIr(n.name(), n.input(), n.classes(), nodes, n.init(), u);
  }

  static ScheduleIr withoutLocation(ScheduleIr s) {
    return new ScheduleIr(
        s.name(), s.epochs(), s.batch(), s.testBatch(), s.sgd(), s.lrSteps(), s.gamma(), s.augment(),
        s.normalize(), s.dataset(), s.precision(), s.nr(), SourceLocation.UNKNOWN);
  }
}
