package io.nrj.cli;

import io.nrj.dsl.NrPrinter;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.runtime.Backend;
import io.nrj.runtime.checkpoint.Checkpoint;
import io.nrj.runtime.data.DataSet;
import io.nrj.runtime.data.DataSets;
import io.nrj.runtime.io.Json;
import io.nrj.runtime.model.TrainableNetwork;
import io.nrj.runtime.nr.NrEngine;
import io.nrj.runtime.train.EngineControl;
import io.nrj.runtime.train.LoaderBatchSource;
import io.nrj.runtime.train.Progress;
import io.nrj.runtime.train.TrainState;
import io.nrj.runtime.train.TrainingLoop;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code nrj train FILE [--network N] [--schedule S] --data PATH|mnist [--device D] [--epochs E]
 * [--batch B] [--seed S] [--out DIR] [--resume CKPT] [--interpreted]}: compiles the spec and its
 * generated trainer (in memory; {@code --interpreted} walks the IR instead), trains the network with
 * its schedule (Neural Rejuvenation when the schedule has a {@code rejuvenate} block) and writes
 * metrics, checkpoints and reports to the output directory.
 */
final class TrainCommand {
  static final String USAGE =
      "train FILE [--network N] [--schedule S] --data PATH|mnist [--device auto|cpu|cuda] [--epochs E]"
          + " [--batch B] [--seed S] [--out DIR] [--resume CKPT] [--interpreted]";

  private TrainCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err) {
    return CommandSupport.guarded("train", USAGE, err, () -> train(args, out, err));
  }

  private static int train(String[] args, PrintStream out, PrintStream err) throws Exception {
    Flags f =
        Flags.parse(
            "train", args,
            Set.of("--network", "--schedule", "--data", "--device", "--epochs", "--batch", "--seed", "--out", "--resume"),
            Set.of("--interpreted"));
    if (f.positional().size() != 1) throw new Flags.UsageException("expected one FILE, got " + f.positional().size());
    Path file = Path.of(f.positional().getFirst());
    String data = f.require("--data");
    CommandSupport.Selection sel =
        CommandSupport.select(CommandSupport.compile(file), f.get("--network"), f.get("--schedule"));
    NetworkIr ir = sel.network();
    if (sel.schedule() == null) {
      throw new UserException(file + " has no schedule for network '" + ir.name() + "'; add one or pass --schedule");
    }
    // On resume the NR state carries the epoch count; --epochs then extends it (extendEpochs).
    ScheduleIr schedule = withOverrides(sel.schedule(), f.has("--resume") ? 0 : f.positiveInt("--epochs", 0), f.positiveInt("--batch", 0));
    Checkpoint resumeFrom = f.has("--resume") ? Checkpoint.read(Path.of(f.get("--resume"))) : null;
    long seed = resumeFrom != null ? resumeFrom.seed() : f.longValue("--seed", 1);
    Path outDir = Path.of(f.get("--out", Path.of("runs", ir.name()).toString()));
    DataSet dataSet = DataSets.open(data);

    NrEngine engine;
    TrainState resume = null;
    if (resumeFrom != null) {
      if (!resumeFrom.network().equals(ir.name())) {
        throw new UserException(
            f.get("--resume") + ": checkpoint is for network '" + resumeFrom.network() + "', not '" + ir.name() + "'");
      }
      String state = resumeFrom.nrState();
      int planned = Integer.parseInt(resumeFrom.extra().getOrDefault("epochs", Integer.toString(sel.schedule().epochs())));
      if (f.has("--epochs")) state = extendEpochs(state, f.positiveInt("--epochs", planned) - planned);
      engine = NrEngine.restore(ir, schedule, state);
      double best = Double.parseDouble(resumeFrom.extra().getOrDefault("best_top1", "NaN"));
      resume =
          new TrainState(
              resumeFrom.epoch(), resumeFrom.widths(), engine.layout(), resumeFrom.model(), resumeFrom.momentum(),
              resumeFrom.optimizer().step(), resumeFrom.nrState(), best);
    } else {
      engine = new NrEngine(ir, schedule);
    }
    Files.createDirectories(outDir);
    String source = sel.module().source();
    try (Backend backend = CommandSupport.openDevice(f.get("--device", "auto"), schedule.precision());
        TrainableNetwork net =
            CommandSupport.network(sel.module(), ir, schedule.name(), backend, seed, f.has("--interpreted"));
        LoaderBatchSource train = new LoaderBatchSource(dataSet.train(), true, schedule.augment(), schedule.normalize());
        LoaderBatchSource test = new LoaderBatchSource(dataSet.test(), false, schedule.augment(), schedule.normalize())) {
      checkShapes(ir, train, dataSet);
      out.printf(
          Locale.ROOT, "nrj train: %s (%d parameters) with %s on %s, device %s, seed %d%s%n", ir.name(),
          net.parameters().paramCount(), schedule.name(), dataSet, backend.name(), seed,
          resume == null ? "" : ", resuming at epoch " + (resume.nextEpoch() + 1));
      TrainingLoop.Options options =
          new TrainingLoop.Options(
              schedule.batch(), schedule.testBatch(), seed, outDir, Progress.stdoutIsTerminal(),
              widths -> NrPrinter.print(ir, widths, ir.name()),
              (state, ckpt) -> checkpoint(source, file, ir, schedule, seed, engine, state).write(ckpt));
      TrainingLoop.Result r =
          new TrainingLoop(net, new EngineControl(engine), schedule.sgd(), train, test, options, out).run(resume);
      out.printf(
          Locale.ROOT, "trained %d epochs in %.1fs (%.0f img/s); outputs in %s%n", r.epochs(), r.trainSeconds(),
          r.trainImgPerSec(), outDir);
    }
    return 0;
  }

  static Checkpoint checkpoint(
      String source, Path file, NetworkIr ir, ScheduleIr schedule, long seed, NrEngine engine, TrainState s) {
    LinkedHashMap<String, String> extra = new LinkedHashMap<>();
    extra.put("nr_file", file.getFileName().toString());
    extra.put("best_top1", Double.toString(s.bestTop1()));
    extra.put("epochs", Integer.toString(schedule.epochs()));
    return new Checkpoint(
        source, ir.name(), schedule.name(), s.widths(), s.nextEpoch(), seed,
        new Checkpoint.OptimizerState(
            engine.learningRate(s.nextEpoch()), schedule.sgd().momentum(), schedule.sgd().weightDecay(), s.steps()),
        s.nrState(), extra, s.params(), s.momentum());
  }

  /**
   * The NR state with its (possibly shifted) total epochs moved by {@code delta}: {@code --epochs}
   * given at resume changes the planned length, and the sparse phase's shift still applies on top.
   */
  @SuppressWarnings("unchecked")
  static String extendEpochs(String stateJson, int delta) {
    if (delta == 0) return stateJson;
    Object parsed = Json.parse(stateJson);
    if (!(parsed instanceof Map<?, ?> m) || !(m.get("epochs") instanceof Long e)) {
      throw new UserException("--epochs: the checkpoint's NR state has no epoch count to change");
    }
    Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) m);
    copy.put("epochs", e + delta);
    return Json.write(copy);
  }

  /** The schedule with --epochs and --batch applied (0 keeps the schedule's value). */
  static ScheduleIr withOverrides(ScheduleIr s, int epochs, int batch) {
    return new ScheduleIr(
        s.name(), epochs > 0 ? epochs : s.epochs(), batch > 0 ? batch : s.batch(), s.testBatch(), s.sgd(), s.lrSteps(),
        s.gamma(), s.augment(), s.normalize(), s.dataset(), s.precision(), s.nr(), s.location());
  }

  static void checkShapes(NetworkIr ir, LoaderBatchSource data, DataSet set) {
    if (!data.sampleShape().equals(ir.input())) {
      throw new UserException(
          set + " gives " + data.sampleShape() + " images after augmentation; network '" + ir.name() + "' expects "
              + ir.input());
    }
  }
}
