package io.nrj.tests.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.TypeSpec;
import io.nrj.dsl.NrCompiler;
import io.nrj.processor.TrainerProcessor;
import io.nrj.runtime.Backend;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.antlr.v4.runtime.Lexer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user's path of DESIGN.md, for real: a fresh Maven project in a temporary directory with one
 * {@code .nr} file and one {@code @NrSpec} interface, built by the repository's {@code ./mvnw}
 * offline against the local repository; then its generated trainer runs one training step on the
 * CPU backend; then changing only the {@code .nr} file and rebuilding regenerates the trainer.
 *
 * <p>How the nrj artifacts reach the project: the reactor's SNAPSHOT artifacts are never installed
 * in {@code ~/.m2}, so the project names them as {@code system}-scope dependencies whose paths are
 * this JVM's own class-path entries for them (the reactor's {@code target/classes} folders or
 * jars), found from the code source of one class of each. javac 25 runs processors found on the
 * class path only with {@code -proc:full}, which the project sets. Third-party jars (ANTLR,
 * JavaPoet) come the same way. Only Maven's own plugins come from {@code ~/.m2}, offline.
 *
 * <p>The project has no {@code -Anr.dir}: the processor finds {@code src/main/nr/} from the
 * compiler's output folder. It carries the same forget-compiler-state execution as {@code
 * generated-examples}, without which Maven would not recompile after a {@code .nr}-only change.
 */
class FreshMavenProjectTest {
  @TempDir Path project;

  private static final String NR =
      """
      network tiny {
        input 1x12x12
        classes 3
        conv WIDTH k3 input
        maxpool 2
        conv 6 k3
        classifier
      }
      """;

  private static final String DRIVER =
      """
      package demo;

      import io.nrj.dsl.ir.ScheduleIr;
      import io.nrj.runtime.cpu.CpuBackend;
      import io.nrj.runtime.train.Sgd;

      /** One training step of the generated trainer on a fixed batch; prints loss and widths. */
      public final class OneStep {
        public static void main(String[] args) {
          int n = 4;
          float[] x = new float[n * 12 * 12];
          for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i);
          int[] labels = {0, 1, 2, 1};
          try (var backend = new CpuBackend(1, false);
              var net = new TinyTrainer(backend, 42);
              var sgd = new Sgd(backend, net.parameters(), new ScheduleIr.Sgd(0.1, 0.9, 1e-4))) {
            backend.upload(net.input(n), x);
            net.forward(n, true);
            double before = net.loss(labels);
            net.backward();
            sgd.step(0.1, 0, c -> false);
            net.forward(n, true);
            double after = net.loss(labels);
            System.out.println("loss " + before + " -> " + after + " widths " + net.widths());
          }
        }
      }
      """;

  @Test
  void freshProjectGeneratesATrainerThatTrainsOneStepAndRegeneratesOnSpecChange() throws Exception {
    Path root = Path.of(System.getProperty("nrj.repo.root", "..")).toAbsolutePath().normalize();
    Files.createDirectories(project.resolve("src/main/nr"));
    Files.createDirectories(project.resolve("src/main/java/demo"));
    Files.writeString(project.resolve("src/main/nr/tiny.nr"), NR.replace("WIDTH", "5"));
    Files.writeString(
        project.resolve("src/main/java/demo/Tiny.java"),
        "package demo;\n\n@io.nrj.processor.api.NrSpec(\"tiny.nr\")\ninterface Tiny {}\n");
    Files.writeString(project.resolve("src/main/java/demo/OneStep.java"), DRIVER);
    List<Path> jars = nrjClassPath();
    Files.writeString(project.resolve("pom.xml"), pom(jars));

    mvn(root, "compile");
    Path generated = project.resolve("target/generated-sources/annotations/demo/TinyTrainer.java");
    assertTrue(Files.isRegularFile(generated), "no generated trainer at " + generated);
    String run = java(jars, "demo.OneStep");
    assertTrue(run.matches("(?s)loss [0-9.E-]+ -> [0-9.E-]+ widths \\[5, 6\\]\\s*"), run);
    String[] losses = run.replaceAll("(?s)loss ([0-9.E-]+) -> ([0-9.E-]+).*", "$1 $2").strip().split(" ");
    assertTrue(
        Double.parseDouble(losses[1]) < Double.parseDouble(losses[0]),
        "one SGD step on the same batch should lower its loss: " + run);

    // Change only the .nr file: the rebuilt trainer must have the new width.
    Files.writeString(project.resolve("src/main/nr/tiny.nr"), NR.replace("WIDTH", "7"));
    mvn(root, "compile");
    assertTrue(Files.readString(generated).contains("DECLARED_WIDTHS = {7, 6}"), "stale trainer");
    assertTrue(java(jars, "demo.OneStep").contains("widths [7, 6]"));
  }

  /** The class-path entries of nrj's modules and the processor's dependencies, as this JVM has them. */
  private static List<Path> nrjClassPath() throws URISyntaxException {
    Set<Path> out = new LinkedHashSet<>();
    for (Class<?> c :
        List.of(TrainerProcessor.class, NrCompiler.class, Backend.class, TypeSpec.class, Lexer.class,
            io.nrj.grammar.NrKeywords.class)) {
      out.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()));
    }
    return new ArrayList<>(out);
  }

  private static String pom(List<Path> jars) {
    StringBuilder deps = new StringBuilder();
    int i = 0;
    for (Path jar : jars) {
      deps.append(
          """
              <dependency>
                <groupId>local</groupId><artifactId>dep%d</artifactId><version>1</version>
                <scope>system</scope><systemPath>%s</systemPath>
              </dependency>
          """
              .formatted(i++, jar));
    }
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>demo</groupId><artifactId>fresh</artifactId><version>1</version>
          <properties><project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>
          <dependencies>
        %s  </dependencies>
          <build>
            <plugins>
              <plugin><artifactId>maven-resources-plugin</artifactId><version>3.5.0</version></plugin>
              <plugin>
                <artifactId>maven-clean-plugin</artifactId><version>3.5.0</version>
                <executions><execution>
                  <id>forget-compiler-state</id><phase>initialize</phase><goals><goal>clean</goal></goals>
                  <configuration><excludeDefaultDirectories>true</excludeDefaultDirectories><filesets><fileset>
                    <directory>${project.build.directory}/maven-status/maven-compiler-plugin/compile</directory>
                  </fileset></filesets></configuration>
                </execution></executions>
              </plugin>
              <plugin>
                <artifactId>maven-compiler-plugin</artifactId><version>3.15.0</version>
                <configuration><release>25</release><proc>full</proc></configuration>
              </plugin>
            </plugins>
          </build>
        </project>
        """
        .formatted(deps);
  }

  private void mvn(Path root, String goal) throws IOException, InterruptedException {
    List<String> cmd = List.of(root.resolve("mvnw").toString(), "-o", "-B", "-ntp", "-f",
        project.resolve("pom.xml").toString(), goal);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(project.toFile()).redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    String out = run(pb, 240);
    assertTrue(out.contains("BUILD SUCCESS"), "mvn " + goal + " failed:\n" + out);
  }

  private String java(List<Path> jars, String main) throws IOException, InterruptedException {
    List<String> cp = new ArrayList<>();
    cp.add(project.resolve("target/classes").toString());
    jars.forEach(j -> cp.add(j.toString()));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb =
        new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp",
                String.join(File.pathSeparator, cp), main)
            .redirectErrorStream(true);
    return run(pb, 120);
  }

  private static String run(ProcessBuilder pb, int seconds) throws IOException, InterruptedException {
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), "timed out: " + pb.command());
    String text = new String(out, java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), "exit code of " + pb.command() + ":\n" + text);
    return text;
  }
}
