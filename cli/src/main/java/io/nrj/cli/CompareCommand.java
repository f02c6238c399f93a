package io.nrj.cli;

import io.nrj.cli.compare.Arm;
import io.nrj.cli.compare.Comparison;
import io.nrj.cli.compare.TrainProcess;
import io.nrj.dsl.ir.ScheduleIr;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code nrj compare SPEC [--network N] [--schedule S] --data D [--seeds K] [--epochs E] [--out DIR]
 * [--long-baseline] [--equal-used] [--jobs J] [--device D] [--interpreted]}: does Neural Rejuvenation
 * pay off for this network and schedule? Trains the NR schedule and its baseline (the same schedule
 * without {@code rejuvenate}) for seeds 1..K, optionally a baseline as long as each NR run and one
 * as wide as the NR network's weights in use, and writes {@code compare.md} and {@code
 * compare.png} (see {@link Comparison}).
 */
final class CompareCommand {
  static final String USAGE =
      "compare SPEC [--network N] [--schedule S] --data PATH|mnist [--seeds K] [--epochs E] [--out DIR]"
          + " [--long-baseline] [--equal-used] [--jobs J] [--device auto|cpu|cuda] [--interpreted]";

  private CompareCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err) {
    return CommandSupport.guarded("compare", USAGE, err, () -> compare(args, out));
  }

  private static int compare(String[] args, PrintStream out) throws Exception {
    Flags f =
        Flags.parse(
            "compare", args,
            Set.of("--network", "--schedule", "--data", "--seeds", "--epochs", "--out", "--jobs", "--device"),
            Set.of("--long-baseline", "--equal-used", "--interpreted"));
    if (f.positional().size() != 1) throw new Flags.UsageException("expected one SPEC, got " + f.positional().size());
    Path file = Path.of(f.positional().getFirst());
    String data = f.require("--data");
    String device = f.get("--device", "auto");
    if (!device.equals("auto") && !device.equals("cpu") && !device.equals("cuda")) {
      throw new Flags.UsageException("--device must be auto, cpu or cuda, got '" + device + "'");
    }
    int seeds = f.positiveInt("--seeds", 3);
    int jobs = f.positiveInt("--jobs", 1);
    CommandSupport.Selection sel =
        CommandSupport.select(CommandSupport.compile(file), f.get("--network"), f.get("--schedule"));
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
    int epochs = f.positiveInt("--epochs", s.epochs());
    Path outDir = Path.of(f.get("--out", Path.of("runs", "compare-" + sel.network().name() + "-" + s.name()).toString()));
    List<Arm> arms = new ArrayList<>(List.of(Arm.NR, Arm.BASELINE));
    if (f.has("--long-baseline")) arms.add(Arm.BASELINE_LONG);
    if (f.has("--equal-used")) arms.add(Arm.EQUAL_USED);
    List<String> trainOptions = new ArrayList<>(List.of("--data", data, "--device", device));
    if (f.has("--interpreted")) trainOptions.add("--interpreted");
    // Runs side by side share the cores; one alone keeps this process's thread setting.
    int threads = jobs > 1 ? Math.max(1, Runtime.getRuntime().availableProcessors() / jobs) : 0;
    Comparison c =
        new Comparison(
            file, sel.network(), s, epochs, seeds, arms, outDir, jobs, new TrainProcess(threads, trainOptions),
            "nrj compare " + String.join(" ", args));
    c.run(out);
    return 0;
  }
}
