package io.nrj.runtime.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nrj.dsl.NrPrinter;
import io.nrj.dsl.Plural;
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
import java.util.List;
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
   * runs/<network>}; {@code resume} null starts fresh. {@code epochs} of a fresh run is the planned
   * length, to which every sparse epoch adds one (spec §2.2); on resume it is the epoch the run
   * ends at, as the progress counter and metrics.csv number epochs (the sparse epochs already
   * trained are in that count; a run still sparse goes on adding one per sparse epoch). {@code
   * precision} ("fp32" or "tf32") overrides the schedule's on the GPU; null keeps it. {@code
   * cudaGraphs} records each training step once and replays it as a CUDA graph where the device can
   * ({@link StepRunner}). {@code progressEvery}: seconds between the plain progress lines printed
   * when stdout is not a terminal (0: none).
   */
  public record Options(
      String data, String device, String precision, boolean cudaGraphs, int epochs, int batch, Long seed, Path out,
      Path resume, double progressEvery) {}

  private TrainJob() {}

  /**
   * Runs {@code ir} with {@code schedule} from {@code module} (the spec file named {@code specFile}).
   * Returns null when a resumed run has nothing left to train (it says so and writes nothing).
   */
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
      int end = o.epochs() > 0 ? o.epochs() : fit.engine().totalEpochs();
      if (from.epoch() >= end) {
        out.printf(
            Locale.ROOT, "nrj train: nothing to train: %s is at epoch %d and the run ends at epoch %d%s; no files written%n",
            o.resume(), from.epoch(), end,
            o.epochs() > 0 ? " (--epochs " + o.epochs() + ")" : ", the end of its schedule (--epochs N trains on to epoch N)");
        return null;
      }
      engine =
          NrEngine.restore(
              ir, s, o.epochs() > 0 ? withEpochs(from.nrState(), o.epochs()) : from.nrState(), from.optimizer().step());
      // the planned length the counter shows: the end less the epochs the sparse phase added so far
      planned = engine.totalEpochs() - new EngineControl(engine).sparseEpochs(from.epoch());
      resume = fit.trainState();
    }
    DataSet dataSet = DataSets.open(o.data());
    checkNormalize(s, dataSet);
    try (Backend backend = Devices.open(o.device() == null ? "auto" : o.device(), precision);
        TrainableNetwork net = factory.create(backend, ir, seed);
        LoaderBatchSource train = new LoaderBatchSource(dataSet.train(), true, s.augment(), s.normalize());
        LoaderBatchSource test = new LoaderBatchSource(dataSet.test(), false, s.augment(), s.normalize())) {
      checkShapes(ir, train, dataSet);
      Files.createDirectories(outDir);
      TrainCheckpoints.Run run = new TrainCheckpoints.Run(module.source(), ir.name(), s.name(), seed, s.sgd());
      int plannedEpochs = planned;
      TrainingLoop.Options options =
          new TrainingLoop.Options(
              s.batch(), s.testBatch(), seed, outDir, Terminal.stdoutIsTerminal(),
              widths -> NrPrinter.print(ir, widths, ir.name()),
              (state, file) -> checkpoint(run, specFile, plannedEpochs, state).write(file), o.cudaGraphs(),
              o.progressEvery());
      TrainingLoop loop = new TrainingLoop(net, new EngineControl(engine), s.sgd(), train, test, options, out);
      loop.restore(resume);
      // after restore: a resumed rejuvenated network has other widths than the declared one
      out.printf(
          Locale.ROOT, "nrj train: %s (%d parameters) with %s on %s, device %s, seed %d%s%n", ir.name(),
          net.parameters().paramCount(), s.name(), dataSet, backend.name(), seed,
          resume == null ? "" : ", resuming at epoch " + (resume.nextEpoch() + 1));
      TrainingLoop.Result r = loop.run();
      out.printf(
          Locale.ROOT, "trained %s in %.1fs (%.0f img/s); outputs in %s%n", Plural.of(r.epochs(), "epoch"),
          r.trainSeconds(), r.trainImgPerSec(), outDir);
      return r;
    }
  }

  /**
   * Fails with a message naming the schedule's place in the spec when its {@code normalize} lists
   * neither one value nor one per channel of the data set's images.
   */
  public static void checkNormalize(ScheduleIr s, DataSet data) {
    int channels = data.test().channels(); // the test split: nrj eval never reads the training files
    for (String what : List.of("mean", "std")) {
      int n = (what.equals("mean") ? s.normalize().mean() : s.normalize().std()).size();
      if (n > 1 && n != channels) {
        throw new IllegalArgumentException(
            s.location() + ": schedule '" + s.name() + "': normalize " + what + " has " + Plural.of(n, "value")
                + " but the images of " + data + " have " + Plural.of(channels, "channel"));
      }
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
   * the run's planned epochs (without the sparse shift: what the progress counter shows as the total).
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

  /**
   * The NR state JSON with its total epochs (already shifted by the sparse epochs trained) set to
   * {@code epochs}: the run then ends at that epoch of the progress counter.
   */
  public static String withEpochs(String stateJson, int epochs) {
    JsonNode parsed = JsonCodec.parse(stateJson);
    if (!(parsed instanceof ObjectNode m) || !m.path("epochs").canConvertToInt()) {
      throw new IllegalArgumentException("--epochs: the checkpoint's NR state has no epoch count to change");
    }
    ObjectNode copy = m.deepCopy();
    copy.put("epochs", epochs);
    return JsonCodec.write(copy);
  }

  /** The schedule with epochs and batch overridden (0 keeps the schedule's value). */
  public static ScheduleIr withOverrides(ScheduleIr s, int epochs, int batch) {
    return new ScheduleIr(
        s.name(), epochs > 0 ? epochs : s.epochs(), batch > 0 ? batch : s.batch(), s.testBatch(), s.sgd(), s.lrSteps(),
        s.gamma(), s.augment(), s.normalize(), s.dataset(), s.precision(), s.nr(), s.location());
  }
}
