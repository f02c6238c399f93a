package io.nrj.tests.cli;

import static io.nrj.tests.cli.Processes.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated trainers' mains from the command line (issue 12 item 1, issue 11 item 4): the README's
 * {@code scripts/nrj-trainer} route with {@code --help}, a whole run through the launcher (Vector
 * API module loaded, nothing on stderr), and a plain {@code java -cp} run without the module,
 * which must say once which flag is missing instead of running silently slower.
 */
class TrainerLauncherTest {
  @TempDir static Path dir;
  static Path data;
  static String classPath;

  @BeforeAll
  static void setUp() throws IOException {
    Path target = Processes.ROOT.resolve("generated-examples/target");
    Path jar;
    try (Stream<Path> jars = Files.list(target)) {
      jar = jars.filter(p -> p.getFileName().toString().matches("nrj-generated-examples-.*\\.jar")).findFirst().orElse(null);
    }
    assumeTrue(jar != null, "the generated-examples jar is built by its module");
    // TinyPlainTrainer (a plain schedule: exactly the epochs asked for) is generated from the
    // module's test sources; the jar's manifest brings the runtime and its libraries.
    classPath = target.resolve("test-classes") + File.pathSeparator + jar;
    data = Processes.mnist(dir.resolve("data"), 64, 32);
  }

  @Test
  void theReadmeRouteRunsTheLenetTrainerAndItsHelp() throws Exception {
    String readme = Files.readString(Processes.ROOT.resolve("README.md"));
    assertTrue(readme.contains("scripts/nrj-trainer Lenet5Trainer --data mnist --out runs/lenet-gen"), "README route");
    Processes.Result r = Processes.bash("scripts/nrj-trainer Lenet5Trainer --help");
    assertEquals(0, r.code(), r.err());
    assertEquals("", r.err());
    assertTrue(r.out().startsWith("usage: Lenet5Trainer [-hV] [--schedule=S] --data=PATH|mnist [--device=auto|cpu|cuda]"), r.out());
    Processes.Result bad = Processes.bash("scripts/nrj-trainer Lenet5Trainer --data mnist --epoch 3");
    assertEquals(2, bad.code());
    assertTrue(bad.err().startsWith("Lenet5Trainer: unknown option '--epoch' for 'Lenet5Trainer'; did you mean '--epochs'?"), bad.err());
  }

  @Test
  void theLauncherTrainsWithTheVectorApiAndWarnsAboutNothing() throws Exception {
    Path out = dir.resolve("launched");
    Processes.Result r = Processes.run(
        List.of("bash", "-c", "scripts/nrj-trainer io.nrj.examples.TinyPlainTrainer --data " + q(data) + " --device cpu --out " + q(out)),
        Map.of("NRJ_TRAINER_CP", classPath), 300);
    assertEquals(0, r.code(), r.err() + r.out());
    assertEquals("", r.err(), "no incubator warning and no missing-module warning");
    assertTrue(r.out().contains("epoch 1/1  lr "), r.out());
    assertTrue(Files.isRegularFile(out.resolve("checkpoint.safetensors")));
  }

  @Test
  void plainJavaWithoutTheVectorModuleSaysOnceWhichFlagIsMissing() throws Exception {
    Path out = dir.resolve("plain");
    Processes.Result r = Processes.run(
        List.of(Processes.JAVA.toString(), "-cp", classPath, "io.nrj.examples.TinyPlainTrainer", "--data", data.toString(),
            "--device", "cpu", "--out", out.toString()),
        Map.of(), 300);
    assertEquals(0, r.code(), r.err() + r.out());
    List<String> warnings = r.err().lines().filter(l -> l.contains("Vector API")).toList();
    assertEquals(1, warnings.size(), r.err());
    assertTrue(warnings.getFirst().contains("add --add-modules jdk.incubator.vector to the java command"), r.err());
  }
}
