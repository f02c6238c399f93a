package io.nrj.runtime.launch;

import io.nrj.dsl.CompileResult;
import io.nrj.dsl.NrCompiler;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrModule;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.runtime.train.TrainJob;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code main} of every generated trainer: {@code nrj train}'s options ({@link TrainOptions})
 * for the one network the trainer was generated for, then the same run {@code nrj train} starts
 * ({@link TrainJob}). A generated class only says which trainer it is ({@link Trainer}); it holds no
 * option parsing of its own.
 *
 * <p>{@code --schedule} picks another schedule of the same spec; without it the spec's {@code train}
 * binding (or its only schedule) is used.
 */
@Command(
    mixinStandardHelpOptions = true,
    versionProvider = NrjVersion.class,
    usageHelpAutoWidth = false,
    description = "Trains %s (with Neural Rejuvenation when the schedule has a rejuvenate block): the generated"
        + " trainer of %s, with the options of 'nrj train'.",
    footer = {
      "",
      "Exit status: 0 done, 1 a problem with a file, the data or the device (one message), 2 a usage error."
    })
public final class TrainerMain implements Callable<Integer> {
  /**
   * What a generated trainer class knows about itself.
   *
   * @param command the class's simple name, as the usage line shows it
   * @param network the network it trains
   * @param sourceFile the {@code .nr} file's name
   * @param source the {@code .nr} source the class was generated from
   * @param schedule the schedule its {@code train} binding names, or null
   * @param factory builds the trainer on a backend
   */
  public record Trainer(
      String command, String network, String sourceFile, String source, String schedule,
      TrainJob.NetworkFactory factory) {}

  private final Trainer trainer;
  private final PrintStream out;

  @Spec private CommandSpec spec;

  @Mixin private TrainOptions options;

  @Option(names = "--schedule", paramLabel = "S", order = 1,
      description = "the schedule to train with (default: the spec's train binding, else its only schedule)")
  private String schedule;

  private TrainerMain(Trainer trainer, PrintStream out) {
    this.trainer = trainer;
    this.out = out;
  }

  /** Runs a generated trainer's command line; returns the exit status. */
  public static int run(Trainer trainer, String[] args, PrintStream out, PrintStream err) {
    InheritedStderr.install();
    CommandLine cl = CommandLines.of(new TrainerMain(trainer, out), out, err, e -> false);
    cl.setCommandName(trainer.command());
    var usage = cl.getCommandSpec().usageMessage();
    usage.description(String.format(usage.description()[0], trainer.network(), trainer.sourceFile()));
    return cl.execute(args);
  }

  @Override
  public Integer call() throws Exception {
    TrainJob.Options job = options.toJob();
    CompileResult compiled = NrCompiler.compile(trainer.sourceFile(), trainer.source());
    NrModule module = compiled.module();
    NetworkIr ir = module.network(trainer.network()).orElseThrow();
    String name = schedule != null ? schedule
        : trainer.schedule() != null ? trainer.schedule()
        : module.schedules().size() == 1 ? module.schedules().getFirst().name()
        : null;
    if (name == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), trainer.sourceFile() + " has no train binding; choose a schedule with --schedule ("
              + module.schedules().stream().map(ScheduleIr::name).collect(Collectors.joining(", ")) + ")");
    }
    ScheduleIr s = module.schedule(name).orElseThrow(() -> new IllegalArgumentException(
        trainer.sourceFile() + " has no schedule '" + name + "'; it defines "
            + module.schedules().stream().map(ScheduleIr::name).collect(Collectors.joining(", "))));
    // the same run as nrj train: overrides, resume, data, device, loop and checkpoints
    TrainJob.run(module, ir, s, trainer.sourceFile(), job, trainer.factory(), out);
    return 0;
  }
}
