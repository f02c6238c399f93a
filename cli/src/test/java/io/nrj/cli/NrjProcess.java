package io.nrj.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code nrj} as a separate JVM (this test's JDK and class path), for what only a real process
 * shows: a kill, or anything that differs between JVM instances. Output goes to files in {@code dir}.
 */
final class NrjProcess {
  private NrjProcess() {}

  /** The command line that runs {@link Main} with {@code jvmOptions} and {@code args}. */
  static List<String> command(List<String> jvmOptions, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Starts {@code nrj args} with stdout and stderr in {@code dir/name.out} and {@code dir/name.err}. */
  static Process start(Path dir, String name, List<String> jvmOptions, String... args) throws IOException {
    return new ProcessBuilder(command(jvmOptions, args))
        .redirectOutput(dir.resolve(name + ".out").toFile())
        .redirectError(dir.resolve(name + ".err").toFile())
        .start();
  }

  /** Runs {@code nrj args} to completion (at most two minutes) and returns its exit code, stdout and stderr. */
  static CliRun run(Path dir, String name, String... args) throws IOException, InterruptedException {
    Process p = start(dir, name, List.of(), args);
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("nrj " + String.join(" ", args) + " did not finish in two minutes");
    }
    return new CliRun(
        p.exitValue(),
        Files.readString(dir.resolve(name + ".out"), StandardCharsets.UTF_8),
        Files.readString(dir.resolve(name + ".err"), StandardCharsets.UTF_8));
  }
}
