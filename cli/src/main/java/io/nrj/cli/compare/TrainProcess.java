package io.nrj.cli.compare;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts {@code nrj train} for one run as a child JVM: the same Java, class path and JVM flags as
 * this process ({@code --add-modules}, {@code --enable-native-access}, {@code -D}, {@code -X}
 * options; agents such as debuggers and coverage are not passed on), with its output appended to
 * the run's {@code train.log}. A separate process per run keeps runs independent (memory, a crash)
 * and lets several run at once, each with its own CPU thread count.
 *
 * @param threads CPU threads for each training ({@code -Dnrj.cpu.threads}); 0 keeps this
 *     process's setting
 * @param options {@code nrj train} options every run gets ({@code --data}, {@code --device}, ...)
 */
public record TrainProcess(int threads, List<String> options) {
  public TrainProcess {
    options = List.copyOf(options);
  }

  /** The command line training {@code run}, resuming it from its checkpoint when {@code resume}. */
  public List<String> command(RunDir run, ArmSpecs.Spec spec, boolean resume) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("-javaagent") || a.startsWith("-agentlib") || a.startsWith("-agentpath")) continue;
      if (threads > 0 && a.startsWith("-Dnrj.cpu.threads=")) continue;
      if (a.startsWith("-D") || a.startsWith("-X") || a.startsWith("--add-modules") || a.startsWith("--enable-native-access")) {
        cmd.add(a);
      }
    }
    if (threads > 0) cmd.add("-Dnrj.cpu.threads=" + threads);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.nrj.cli.Main");
    cmd.add("train");
    cmd.add(run.spec().toString());
    cmd.addAll(List.of("--network", spec.network(), "--schedule", spec.schedule(), "--seed", Long.toString(run.seed())));
    cmd.addAll(List.of("--out", run.dir().toString()));
    // The epochs are in spec.nr; a resumed run goes on to the end its checkpoint plans.
    if (resume) cmd.addAll(List.of("--resume", run.checkpoint().toString()));
    cmd.addAll(options);
    return cmd;
  }

  /**
   * Runs {@code command}, output appended to the run's log; returns the exit code. A training still
   * running when this JVM exits (Ctrl-C on {@code nrj compare}) is stopped with it; its last
   * checkpoint stays, so the next comparison resumes it.
   */
  public static int run(List<String> command, RunDir run) throws IOException, InterruptedException {
    Files.createDirectories(run.dir());
    Files.writeString(run.log(), "$ " + String.join(" ", command) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(run.log().toFile()))
            .start();
    Thread stop = new Thread(p::destroy, "stop " + run.dir().getFileName());
    Runtime.getRuntime().addShutdownHook(stop);
    try {
      return p.waitFor();
    } catch (InterruptedException e) {
      p.destroy();
      throw e;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(stop);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or about to: it stops the process
      }
    }
  }
}
