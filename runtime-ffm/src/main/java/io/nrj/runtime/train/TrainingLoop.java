package io.nrj.runtime.train;

import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.Widths;
import io.nrj.runtime.Backend;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.io.AtomicFiles;
import io.nrj.runtime.model.TrainableNetwork;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The epoch loop of spec §2.2 around a {@link TrainableNetwork}: per epoch the LR from the NR
 * schedule, one shuffled training pass (NR-SGD step per batch), an evaluation pass, then the NR
 * inspection, which may rejuvenate (re-plan the network, fresh optimiser, report table,
 * {@code rejuvenation.json}, {@code network.nr}); then {@code metrics.csv} and a checkpoint of the
 * state at the start of the next epoch, so a resumed run is bit-identical to an uninterrupted one.
 *
 * <p>Determinism: every pass's shuffle and augmentation seed and the rejuvenation seed are pure
 * functions of (run seed, epoch); with a deterministic backend the weights depend on nothing else.
 */
public final class TrainingLoop {
  /**
   * @param batch training batch size
   * @param testBatch evaluation batch size
   * @param seed the run's seed
   * @param outDir where metrics, checkpoints and reports go (null: nowhere)
   * @param terminal draw a live progress bar
   * @param architecture prints the network at given widths as {@code .nr} text (null: skip
   *     {@code network.nr})
   * @param checkpointer writes checkpoints (null: none)
   */
  public record Options(
      int batch, int testBatch, long seed, Path outDir, boolean terminal,
      Function<Widths, String> architecture, Checkpointer checkpointer, boolean recordSteps) {
    /** Options that run every step eagerly. */
    public Options(
        int batch, int testBatch, long seed, Path outDir, boolean terminal,
        Function<Widths, String> architecture, Checkpointer checkpointer) {
      this(batch, testBatch, seed, outDir, terminal, architecture, checkpointer, false);
    }
  }

  /** The files a run writes into its output directory (each atomically, through {@link AtomicFiles}). */
  public static final List<String> OUTPUTS =
      List.of("checkpoint.safetensors", "metrics.csv", "metrics.png", "rejuvenation.json", "network.nr");

  /** What a run did. */
  public record Result(
      int epochs, Tally lastTest, double bestTop1, double trainSeconds, double trainImgPerSec,
      boolean rejuvenated, boolean stoppedAfterRejuvenation) {}

  private final TrainableNetwork net;
  private final NrControl nr;
  private final ScheduleIr.Sgd sgdConfig;
  private final BatchSource train;
  private final BatchSource test;
  private final Options options;
  private final PrintStream out;
  private Sgd sgd;

  public TrainingLoop(
      TrainableNetwork net, NrControl nr, ScheduleIr.Sgd sgd, BatchSource train, BatchSource test,
      Options options, PrintStream out) {
    this.net = net;
    this.nr = nr;
    this.sgdConfig = sgd;
    this.train = train;
    this.test = test;
    this.options = options;
    this.out = out;
    this.sgd = new Sgd(net.backend(), net.parameters(), sgd);
  }

  /** Seed of epoch {@code epoch}'s training pass, derived from the run seed (SplitMix64). */
  public static long epochSeed(long seed, int epoch, int stream) {
    long z = seed + 0x9E3779B97F4A7C15L * (2L * epoch + stream + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * Runs from {@code resume} (null: from the network's current weights at epoch 0) to the end of
   * the schedule, or to a compress-only rejuvenation.
   */
  public Result run(TrainState resume) throws IOException {
    try (StepRunner steps = new StepRunner(options.recordSteps())) {
      return run(resume, steps);
    }
  }

  private Result run(TrainState resume, StepRunner steps) throws IOException {
    int epoch = 0;
    double best = Double.NaN;
    if (resume != null) {
      epoch = resume.nextEpoch();
      best = resume.bestTop1();
      HostParams params = nr.applyPendingBnRestore(resume.params());
      if (!resume.widths().equals(net.widths()) || resume.layout() != null) {
        net.replan(resume.widths(), resume.layout(), params);
        sgd.close();
        sgd = new Sgd(net.backend(), net.parameters(), sgdConfig);
      } else {
        net.importParams(params);
      }
      sgd.importState(resume.momentum(), resume.steps());
    }
    Path dir = options.outDir();
    // A run killed during a write leaves its temporary file beside the intact output; the next run
    // in the folder removes it (only AtomicFiles' own names for these outputs).
    if (dir != null) {
      for (Path stale : AtomicFiles.removeStale(dir, OUTPUTS)) {
        out.println("note: removed " + stale + ", left by an interrupted write");
      }
    }
    MetricsCsv metrics = dir == null ? null : new MetricsCsv(dir.resolve("metrics.csv"), epoch);
    Progress progress = new Progress(out, options.terminal());
    Tally lastTest = null;
    double seconds = 0;
    long images = 0;
    int first = epoch;
    boolean rejuvenated = net.layout() != null;
    while (epoch < nr.totalEpochs()) {
      double lr = nr.learningRate(epoch);
      double lambda = nr.lambda();
      String phase = nr.phase();
      long t0 = System.nanoTime();
      Tally tr = trainEpoch(epoch, lr, lambda, progress, steps);
      double trainSec = (System.nanoTime() - t0) / 1e9;
      seconds += trainSec;
      images += tr.samples();
      Tally te = Evaluator.evaluate(net, test, options.testBatch());
      lastTest = te;
      if (Double.isNaN(best) || te.top1() > best) best = te.top1();
      long params = net.parameters().paramCount();
      NrControl.Outcome o = nr.endOfEpoch(epoch, net.exportParams(nr::inspects), epochSeed(options.seed(), epoch, 1));
      out.printf(
          Locale.ROOT,
          "epoch %d/%d  lr %.4g  loss %.4f  train %.2f%%  test loss %.4f  top1 %.2f%%  top5 %.2f%%%s%s  %.1fs  %.0f img/s%n",
          epoch + 1, nr.totalEpochs(), lr, tr.loss(), 100 * tr.top1(), te.loss(), 100 * te.top1(), 100 * te.top5(),
          te.mixed()
              ? String.format(Locale.ROOT, " (survivor %.2f%%, new %.2f%%)", 100 * te.survivorTop1(), 100 * te.newTop1())
              : "",
          // utilization is only measured while sparse (NaN after rejuvenation and in plain runs)
          Double.isNaN(o.utilization()) ? "" : String.format(Locale.ROOT, "  u %.3f", o.utilization()),
          trainSec, tr.samples() / trainSec);
      if (metrics != null) {
        metrics.append(
            new MetricsCsv.Row(
                epoch + 1, phase, lr, lambda, tr.loss(), tr.top1(), te.loss(), te.top1(), te.top5(),
                te.survivorTop1(), te.newTop1(), o.utilization(), params, trainSec, tr.samples() / trainSec));
        plot(dir);
      }
      epoch++;
      boolean stop = false;
      if (o.rejuvenation() != null) {
        rejuvenate(o.rejuvenation());
        rejuvenated = true;
        stop = nr.stopAfterRejuvenation();
      }
      if (options.checkpointer() != null && dir != null) {
        TrainState state =
            new TrainState(
                epoch, net.widths(), net.layout(), net.exportParams(), sgd.exportState(), sgd.steps(), nr.stateJson(), best);
        options.checkpointer().save(state, dir.resolve("checkpoint.safetensors"));
      }
      if (stop) {
        out.println("compress-only: stopping after rejuvenation; checkpoint " + dir.resolve("checkpoint.safetensors"));
        return new Result(epoch - first, lastTest, best, seconds, images / Math.max(seconds, 1e-9), true, true);
      }
    }
    if (lastTest != null) {
      out.printf(Locale.ROOT, "final test top1 %.2f%%, best %.2f%%%n", 100 * lastTest.top1(), 100 * best);
    }
    return new Result(epoch - first, lastTest, best, seconds, images / Math.max(seconds, 1e-9), rejuvenated, false);
  }

  private Tally trainEpoch(int epoch, double lr, double lambda, Progress progress, StepRunner steps) {
    Tally t = new Tally();
    int k = net.ir().classes();
    int batches = (train.size() + options.batch() - 1) / options.batch();
    progress.start(String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, nr.totalEpochs()), batches);
    int done = 0;
    for (Iterator<BatchSource.Batch> it = train.batches(options.batch(), true, options.seed(), epoch);
        it.hasNext(); ) {
      BatchSource.Batch b = it.next();
      double loss = steps.step(net, sgd, b.images(), b.labels(), lr, lambda, nr::l1Applies);
      if (!Double.isFinite(loss)) {
        throw new IllegalStateException(
            String.format(Locale.ROOT, "loss became %s in epoch %d, batch %d: lower the learning rate", loss, epoch + 1, done + 1));
      }
      float[] fresh = net.newLogits();
      t.add(loss, net.logits(), fresh == null ? null : net.survivorLogits(), fresh, b.labels(), k);
      progress.update(++done, t.loss(), t.top1());
    }
    progress.finish();
    return t;
  }

  private void rejuvenate(NrControl.Rejuvenated r) throws IOException {
    net.rejuvenate(r.widths(), r.layout(), r.surgery()); // survivors copied on the device
    if (r.bnRestore()) {
      net.importParams(nr.applyPendingBnRestore(net.exportParams()));
    }
    sgd.close();
    sgd = new Sgd(net.backend(), net.parameters(), sgdConfig); // fresh momentum (spec §2.2)
    out.printf(Locale.ROOT, "rejuvenated: expand rate %.4f, new widths %s%n", r.expandRate(), r.widths());
    if (r.table() != null) out.print(r.table().endsWith("\n") ? r.table() : r.table() + "\n");
    Path dir = options.outDir();
    if (dir == null) return;
    if (r.json() != null) AtomicFiles.writeString(dir.resolve("rejuvenation.json"), r.json());
    if (options.architecture() != null) {
      AtomicFiles.writeString(dir.resolve("network.nr"), options.architecture().apply(r.widths()));
    }
  }

  /** metrics.png next to metrics.csv; a picture is not worth failing a run for. */
  private void plot(Path dir) {
    try {
      MetricsPlot.write(dir.resolve("metrics.csv"), dir.resolve("metrics.png"));
    } catch (IOException | RuntimeException | Error e) {
      out.println("note: could not draw metrics.png: " + e);
    }
  }

  /** The optimiser in use (a new one after each rejuvenation). */
  public Sgd optimizer() {
    return sgd;
  }
}
