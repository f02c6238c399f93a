package io.nrj.cli;

import io.nrj.cli.compare.Arm;
import io.nrj.cli.compare.Comparison;
import io.nrj.cli.compare.TrainProcess;
import io.nrj.dsl.ir.ScheduleIr;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code nrj compare SPEC [--network N] [--schedule S] --data D [--seeds K] [--epochs E] [--out DIR]
 * [--long-baseline] [--equal-used] [--jobs J] [--device D] [--interpreted]}: does Neural Rejuvenation
 * pay off for this network and schedule? Trains the NR schedule and its baseline (the same schedule
 * without {@code rejuvenate}) for seeds 1..K, optionally a baseline as long as each NR run and one
 * as wide as the NR network's weights in use, and writes {@code compare.md} and {@code
 * compare.png} (see {@link Comparison}).
 */
@Command(
    name = "compare",
    description = {
      "Does NR pay off here? Train the NR schedule and its baseline (the same schedule without its",
      "rejuvenate block) for seeds 1..K, each run an 'nrj train' in its own folder under --out, and write",
      "compare.md (top-1 per run, mean and std per arm, parameters before, after and in use) and",
      "compare.png. Run it again to reuse finished runs and resume interrupted ones."
    })
final class CompareCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;
  @ParentCommand private Main nrj;

  @Parameters(paramLabel = "SPEC", description = "the .nr file")
  private Path file;

  @Option(names = "--network", paramLabel = "N", order = 1,
      description = "the network (default: the one the train binding names, or the only one)")
  private String network;

  @Option(names = "--schedule", paramLabel = "S", order = 2,
      description = "the NR schedule: it must have a rejuvenate block (default: the train binding's, or the only one)")
  private String schedule;

  @Option(names = "--data", required = true, paramLabel = "PATH|mnist", order = 10,
      description = "training and test data, as nrj train takes it")
  private String data;

  @Option(names = "--seeds", paramLabel = "K", defaultValue = "3", order = 11,
      description = "seeds 1..K for every arm (default: ${DEFAULT-VALUE})")
  private int seeds;

  @Option(names = "--epochs", paramLabel = "E", order = 12,
      description = "the schedule's epochs for every arm (default: the schedule's); NR runs add their sparse epochs")
  private Integer epochs;

  @Option(names = "--out", paramLabel = "DIR", order = 13,
      description = "the comparison's folder (default: runs/compare-NETWORK-SCHEDULE)")
  private Path out;

  @Option(names = "--long-baseline", order = 14,
      description = "also a baseline as long as each NR run (its sparse epochs added, LR steps moved with them)")
  private boolean longBaseline;

  @Option(names = "--equal-used", order = 15,
      description = "also a baseline with every width scaled so it has at most the NR network's used parameters")
  private boolean equalUsed;

  @Option(names = "--jobs", paramLabel = "J", defaultValue = "1", order = 16,
      description = "runs at a time, each with cores/J CPU threads when J > 1 (default: ${DEFAULT-VALUE})")
  private int jobs;

  @Option(names = "--device", paramLabel = "auto|cpu|cuda", defaultValue = "auto", order = 20,
      description = "where the runs train (default: ${DEFAULT-VALUE})")
  private String device;

  @Option(names = "--interpreted", order = 30,
      description = "the runs walk the IR instead of compiling the generated trainer (same bits, quicker to start)")
  private boolean interpreted;

  @Override
  public Integer call() throws Exception {
    CommandSupport.positive(spec, "--seeds", seeds);
    CommandSupport.positive(spec, "--jobs", jobs);
    if (epochs != null) CommandSupport.positive(spec, "--epochs", epochs);
    if (!List.of("auto", "cpu", "cuda").contains(device)) {
      throw CommandSupport.usage(spec, "--device must be auto, cpu or cuda, got '" + device + "'");
    }
    CommandSupport.Selection sel = CommandSupport.select(CommandSupport.compile(file), network, schedule);
    ScheduleIr s = sel.schedule();
    if (s == null) {
      throw new UserException(file + " has no schedule for network '" + sel.network().name() + "'; pass --schedule");
    }
    if (s.nr() == null) {
      throw new UserException(
          file + ": schedule '" + s.name() + "' has no rejuvenate block; nrj compare compares an NR schedule with its"
              + " baseline");
    }
    if (s.nr().compressOnly()) {
      throw new UserException(
          file + ": schedule '" + s.name() + "' is compress_only: it stops at rejuvenation, so there is nothing to compare");
    }
    Path outDir = out != null ? out : Path.of("runs", "compare-" + sel.network().name() + "-" + s.name());
    List<Arm> arms = new ArrayList<>(List.of(Arm.NR, Arm.BASELINE));
    if (longBaseline) arms.add(Arm.BASELINE_LONG);
    if (equalUsed) arms.add(Arm.EQUAL_USED);
    List<String> trainOptions = new ArrayList<>(List.of("--data", data, "--device", device));
    if (interpreted) trainOptions.add("--interpreted");
    // Runs side by side share the cores; one alone keeps this process's thread setting.
    int threads = jobs > 1 ? Math.max(1, Runtime.getRuntime().availableProcessors() / jobs) : 0;
    new Comparison(
            file, sel.network(), s, epochs != null ? epochs : s.epochs(), seeds, arms, outDir, jobs,
            new TrainProcess(threads, trainOptions), "nrj " + String.join(" ", spec.commandLine().getParseResult().originalArgs()))
        .run(nrj.out());
    return 0;
  }
}
