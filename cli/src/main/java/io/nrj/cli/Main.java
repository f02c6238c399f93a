package io.nrj.cli;

import io.nrj.runtime.launch.CommandLines;
import io.nrj.runtime.launch.InheritedStderr;
import io.nrj.runtime.launch.NrjVersion;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code nrj} command: picocli dispatches to one class per sub-command, each holding its own
 * options. Exit codes (DESIGN.md): 0 on success, 1 on a user error (with a message, never a stack
 * trace), 2 on a usage error ({@link CommandLines}). {@code --help} and {@code --version} work on
 * every command; {@code nrj help CMD} too.
 */
@Command(
    name = "nrj",
    mixinStandardHelpOptions = true,
    scope = ScopeType.INHERIT,
    versionProvider = NrjVersion.class,
    usageHelpAutoWidth = false,
    description = "Neural Rejuvenation for the JVM: check, count, train, evaluate and time .nr networks.",
    footer = {
      "",
      "Exit status: 0 done, 1 a problem with a file, the data or the device (one message), 2 a usage error.",
      "'nrj help COMMAND' or 'nrj COMMAND --help' describes a command."
    },
    subcommands = {
      CheckCommand.class,
      ParamsCommand.class,
      TrainCommand.class,
      CompareCommand.class,
      EvalCommand.class,
      BenchCommand.class,
      GradCommand.class,
      ExportCommand.class,
      DevicesCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Callable<Integer> {
  @Spec private CommandSpec spec;

  private final PrintStream out;
  private final PrintStream err;

  private Main(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    InheritedStderr.install();
    System.exit(run(args, System.out, System.err));
  }

  /** Runs one command; returns its exit code. Used by tests in-process. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return commandLine(out, err).execute(args);
  }

  /** The configured command line (shared by {@link #run} and the completion script's generator). */
  static CommandLine commandLine(PrintStream out, PrintStream err) {
    return CommandLines.of(new Main(out, err), out, err, e -> e instanceof UserException);
  }

  /** {@code nrj} alone: the command list, exit 2 (a command is missing). */
  @Override
  public Integer call() {
    spec.commandLine().usage(out);
    return 2;
  }

  PrintStream out() {
    return out;
  }

  PrintStream err() {
    return err;
  }
}
