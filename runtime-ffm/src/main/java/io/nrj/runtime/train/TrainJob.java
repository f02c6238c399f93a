package io.nrj.runtime.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nrj.dsl.NrPrinter;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrModule;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.ScheduleIr.Precision;
import io.nrj.runtime.Backend;
import io.nrj.runtime.Devices;
import io.nrj.runtime.checkpoint.Checkpoint;
import io.nrj.runtime.checkpoint.CheckpointFit;
import io.nrj.runtime.checkpoint.TrainCheckpoints;
import io.nrj.runtime.data.DataSet;
import io.nrj.runtime.data.DataSets;
import io.nrj.runtime.io.JsonCodec;
import io.nrj.runtime.model.TrainableNetwork;
import io.nrj.runtime.nr.NrEngine;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;

/**
 * One training run as {@code nrj train} and every generated trainer's {@code main} start it: the
 * schedule with the command line's overrides, a fresh or resumed NR engine, the data set, the
 * device, the network (from a factory: a generated trainer or the IR walker), the loop, and the
 * checkpoints. Both entry points share this class so they cannot drift apart. It is not a parser of
 * command lines: callers parse their own options.
 *
 * <p>User errors (a checkpoint for another network, a data set whose images do not fit) are
 * {@link IllegalArgumentException}s with a one-line message; file errors are {@code
 * InputFileException}s.
 */
public final class TrainJob {
  /** Builds the network to train on a backend. */
  @FunctionalInterface
  public interface NetworkFactory {
    TrainableNetwork create(Backend backend, NetworkIr ir, long seed);
  }

  /**
   * The options of {@code nrj train}. {@code epochs}/{@code batch} 0 keep the schedule's value;
   * {@code seed} null means 1 (or the checkpoint's on resume); {@code out} null means {@code
   * runs/<network>}; {@code resume} null starts fresh. On resume, {@code epochs} extends the planned
   * length of the run (the sparse phase's shift still applies on top). {@code precision} ("fp32" or
   * "tf32") overrides the schedule's on the GPU; null keeps it. {@code cudaGraphs} records each
   * training step once and replays it as a CUDA graph where the device can ({@link StepRunner}).
   */
  public record Options(
      String data, String device, String precision, boolean cudaGraphs, int epochs, int batch, Long seed, Path out,
      Path resume) {}

  private TrainJob() {}

  /** Runs {@code ir} with {@code schedule} from {@code module} (the spec file named {@code specFile}). */
  public static TrainingLoop.Result run(
      NrModule module, NetworkIr ir, ScheduleIr schedule, String specFile, Options o,
      NetworkFactory factory, PrintStream out) throws IOException {
    Precision precision = Devices.precision(o.precision(), schedule.precision());
    Checkpoint from = o.resume() == null ? null : Checkpoint.read(o.resume());
    ScheduleIr s = withOverrides(schedule, from == null ? o.epochs() : 0, o.batch());
    long seed = from != null ? from.seed() : o.seed() == null ? 1 : o.seed();
    Path outDir = o.out() != null ? o.out() : Path.of("runs", ir.name());
    NrEngine engine;
    TrainState resume = null;
    int planned = s.epochs(); // the run's planned length, recorded in every checkpoint
    if (from == null) {
      engine = new NrEngine(ir, s);
    } else {
      CheckpointFit fit = CheckpointFit.check(o.resume(), from, ir, s);
      String recorded = from.extra().get(TrainCheckpoints.EPOCHS);
      int before = recorded == null ? schedule.epochs() : CheckpointFit.plannedEpochs(o.resume(), recorded);
      planned = o.epochs() > 0 ? o.epochs() : before;
      String state = from.nrState();
      if (o.epochs() > 0) state = extendEpochs(state, o.epochs() - before);
      engine = NrEngine.restore(ir, s, state);
      resume = fit.trainState();
    }
    DataSet dataSet = DataSets.open(o.data());
    Files.createDirectories(outDir);
    try (Backend backend = Devices.open(o.device() == null ? "auto" : o.device(), precision);
        TrainableNetwork net = factory.create(backend, ir, seed);
        LoaderBatchSource train = new LoaderBatchSource(dataSet.train(), true, s.augment(), s.normalize());
        LoaderBatchSource test = new LoaderBatchSource(dataSet.test(), false, s.augment(), s.normalize())) {
      checkShapes(ir, train, dataSet);
      out.printf(
          Locale.ROOT, "nrj train: %s (%d parameters) with %s on %s, device %s, seed %d%s%n", ir.name(),
          net.parameters().paramCount(), s.name(), dataSet, backend.name(), seed,
          resume == null ? "" : ", resuming at epoch " + (resume.nextEpoch() + 1));
      TrainCheckpoints.Run run = new TrainCheckpoints.Run(module.source(), ir.name(), s.name(), seed, s.sgd());
      int plannedEpochs = planned;
      TrainingLoop.Options options =
          new TrainingLoop.Options(
              s.batch(), s.testBatch(), seed, outDir, Progress.stdoutIsTerminal(),
              widths -> NrPrinter.print(ir, widths, ir.name()),
              (state, file) -> checkpoint(run, specFile, plannedEpochs, state).write(file), o.cudaGraphs());
      TrainingLoop.Result r =
          new TrainingLoop(net, new EngineControl(engine), s.sgd(), train, test, options, out).run(resume);
      out.printf(
          Locale.ROOT, "trained %d epochs in %.1fs (%.0f img/s); outputs in %s%n", r.epochs(), r.trainSeconds(),
          r.trainImgPerSec(), outDir);
      return r;
    }
  }

  /** Fails with a one-line message when the data set's (augmented) images do not fit the network. */
  public static void checkShapes(NetworkIr ir, BatchSource data, DataSet set) {
    if (!data.sampleShape().equals(ir.input())) {
      throw new IllegalArgumentException(
          set + " gives " + data.sampleShape() + " images after augmentation; network '" + ir.name() + "' expects "
              + ir.input());
    }
  }

  /**
   * The checkpoint of {@code state} ({@link TrainCheckpoints}' layout) plus the spec's file name and
   * the run's planned epochs ({@code --epochs} or the schedule's; what a later resume extends).
   */
  static Checkpoint checkpoint(TrainCheckpoints.Run run, String specFile, int plannedEpochs, TrainState state) {
    Checkpoint base = TrainCheckpoints.toCheckpoint(run, state);
    LinkedHashMap<String, String> extra = new LinkedHashMap<>(base.extra());
    extra.put("nr_file", Path.of(specFile).getFileName().toString());
    extra.put(TrainCheckpoints.EPOCHS, Integer.toString(plannedEpochs));
    return new Checkpoint(
        base.nrSource(), base.network(), base.schedule(), base.widths(), base.epoch(), base.seed(), base.optimizer(),
        base.nrState(), extra, base.model(), base.momentum());
  }

  /** The NR state JSON with its (possibly shifted) total epochs moved by {@code delta}. */
  public static String extendEpochs(String stateJson, int delta) {
    if (delta == 0) return stateJson;
    JsonNode parsed = JsonCodec.parse(stateJson);
    if (!(parsed instanceof ObjectNode m) || !m.path("epochs").canConvertToInt()) {
      throw new IllegalArgumentException("--epochs: the checkpoint's NR state has no epoch count to change");
    }
    ObjectNode copy = m.deepCopy();
    copy.put("epochs", m.get("epochs").intValue() + delta);
    return JsonCodec.write(copy);
  }

  /** The schedule with epochs and batch overridden (0 keeps the schedule's value). */
  public static ScheduleIr withOverrides(ScheduleIr s, int epochs, int batch) {
    return new ScheduleIr(
        s.name(), epochs > 0 ? epochs : s.epochs(), batch > 0 ? batch : s.batch(), s.testBatch(), s.sgd(), s.lrSteps(),
        s.gamma(), s.augment(), s.normalize(), s.dataset(), s.precision(), s.nr(), s.location());
  }
}
