package io.nrj.cli;

import io.nrj.dsl.ir.NetworkIr;
import io.nrj.runtime.cuda.CudaException;
import io.nrj.runtime.cuda.CudaUnavailableException;
import io.nrj.runtime.cuda.MissingLibraryException;
import io.nrj.runtime.launch.CommandLines;
import io.nrj.runtime.launch.TrainOptions;
import io.nrj.runtime.train.TrainJob;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code nrj train FILE [--network N] [--schedule S] [--interpreted]} plus the run options every
 * generated trainer's {@code main} shares ({@link TrainOptions}): compiles the spec and its generated
 * trainer (in memory; {@code --interpreted} walks the IR instead), trains the network with its
 * schedule (Neural Rejuvenation when the schedule has a {@code rejuvenate} block) and writes metrics,
 * plots, checkpoints and reports to the output directory.
 */
@Command(
    name = "train",
    description = {
      "Train a network with its schedule (Neural Rejuvenation when the schedule has a rejuvenate block).",
      "Writes metrics.csv, metrics.png and checkpoint.safetensors to --out after every epoch, and",
      "rejuvenation.json, widths.png and network.nr at rejuvenation."
    })
final class TrainCommand implements Callable<Integer> {
  @ParentCommand private Main nrj;

  @Parameters(paramLabel = "FILE", description = "the .nr file")
  private Path file;

  @Option(names = "--network", paramLabel = "N", order = 1,
      description = "the network to train (default: the one the train binding names, or the only one)")
  private String network;

  @Option(names = "--schedule", paramLabel = "S", order = 2,
      description = "the schedule (default: the train binding's, or the only one)")
  private String schedule;

  @Mixin private TrainOptions options;

  @Option(names = "--interpreted", order = 30,
      description = "walk the IR instead of compiling the generated trainer (same bits, slower to start)")
  private boolean interpreted;

  @Override
  public Integer call() throws Exception {
    TrainJob.Options job = options.toJob(); // usage errors before any work
    CommandSupport.Selection sel = CommandSupport.select(CommandSupport.compile(file), network, schedule);
    NetworkIr ir = sel.network();
    if (sel.schedule() == null) {
      throw new UserException(file + " has no schedule for network '" + ir.name() + "'; add one or pass --schedule");
    }
    try {
      TrainJob.run(
          sel.module(), ir, sel.schedule(), file.toString(), job,
          (backend, net, seed) -> CommandSupport.network(sel.module(), net, sel.schedule().name(), backend, seed, interpreted),
          nrj.out());
    } catch (CudaUnavailableException | CudaException | MissingLibraryException e) {
      throw new UserException("--device " + options.device() + ": " + CommandLines.userMessage(e, x -> false));
    }
    return 0;
  }
}
