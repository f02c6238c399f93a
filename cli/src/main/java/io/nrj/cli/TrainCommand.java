package io.nrj.cli;

import io.nrj.dsl.ir.NetworkIr;
import io.nrj.runtime.cuda.CudaException;
import io.nrj.runtime.cuda.CudaUnavailableException;
import io.nrj.runtime.cuda.MissingLibraryException;
import io.nrj.runtime.train.TrainJob;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code nrj train FILE [--network N] [--schedule S] --data PATH|mnist [--device D] [--precision P] [--epochs E]
 * [--batch B] [--seed S] [--out DIR] [--resume CKPT] [--interpreted] [--cuda-graphs]}: compiles the spec and its
 * generated trainer (in memory; {@code --interpreted} walks the IR instead), trains the network with
 * its schedule (Neural Rejuvenation when the schedule has a {@code rejuvenate} block) and writes
 * metrics, checkpoints and reports to the output directory.
 */
final class TrainCommand {
  static final String USAGE =
      "train FILE [--network N] [--schedule S] --data PATH|mnist [--device auto|cpu|cuda]"
          + " [--precision fp32|tf32] [--epochs E]"
          + " [--batch B] [--seed S] [--out DIR] [--resume CKPT] [--interpreted] [--cuda-graphs]";

  private TrainCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err) {
    return CommandSupport.guarded("train", USAGE, err, () -> train(args, out, err));
  }

  private static int train(String[] args, PrintStream out, PrintStream err) throws Exception {
    Flags f =
        Flags.parse(
            "train", args,
            Set.of("--network", "--schedule", "--data", "--device", "--precision", "--epochs", "--batch", "--seed", "--out", "--resume"),
            Set.of("--interpreted", "--cuda-graphs"));
    if (f.positional().size() != 1) throw new Flags.UsageException("expected one FILE, got " + f.positional().size());
    Path file = Path.of(f.positional().getFirst());
    String data = f.require("--data");
    String device = f.get("--device", "auto");
    if (!device.equals("auto") && !device.equals("cpu") && !device.equals("cuda")) {
      throw new Flags.UsageException("--device must be auto, cpu or cuda, got '" + device + "'");
    }
    CommandSupport.precision(f.get("--precision"), null); // a usage error before any work
    CommandSupport.Selection sel =
        CommandSupport.select(CommandSupport.compile(file), f.get("--network"), f.get("--schedule"));
    NetworkIr ir = sel.network();
    if (sel.schedule() == null) {
      throw new UserException(file + " has no schedule for network '" + ir.name() + "'; add one or pass --schedule");
    }
    TrainJob.Options options =
        new TrainJob.Options(
            data, device, f.get("--precision"), f.has("--cuda-graphs"), f.positiveInt("--epochs", 0), f.positiveInt("--batch", 0),
            f.has("--seed") ? f.longValue("--seed", 1) : null, f.has("--out") ? Path.of(f.get("--out")) : null,
            f.has("--resume") ? Path.of(f.get("--resume")) : null);
    boolean interpreted = f.has("--interpreted");
    try {
      TrainJob.run(
          sel.module(), ir, sel.schedule(), file.toString(), options,
          (backend, network, seed) ->
              CommandSupport.network(sel.module(), network, sel.schedule().name(), backend, seed, interpreted),
          out);
    } catch (CudaUnavailableException | CudaException | MissingLibraryException e) {
      throw new UserException("--device " + device + ": " + e.getMessage());
    }
    return 0;
  }
}
