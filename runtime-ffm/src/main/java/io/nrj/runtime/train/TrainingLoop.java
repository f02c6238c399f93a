package io.nrj.runtime.train;

import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.Widths;
import io.nrj.runtime.Backend;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.io.AtomicFiles;
import io.nrj.runtime.model.TrainableNetwork;
import io.nrj.runtime.report.MetricsChart;
import io.nrj.runtime.report.WidthsChart;
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
   * @param outDir where metrics, plots, checkpoints and reports go (null: nowhere)
   * @param terminal draw a live progress line (stdout is a terminal)
   * @param architecture prints the network at given widths as {@code .nr} text (null: skip
   *     {@code network.nr})
   * @param checkpointer writes checkpoints (null: none)
   * @param recordSteps record steps as CUDA graphs where the device can
   * @param progressEvery without a terminal: seconds between plain progress lines (0: none)
   */
  public record Options(
      int batch, int testBatch, long seed, Path outDir, boolean terminal,
      Function<Widths, String> architecture, Checkpointer checkpointer, boolean recordSteps, double progressEvery) {
    /** Options that run every step eagerly. */
    public Options(
        int batch, int testBatch, long seed, Path outDir, boolean terminal,
        Function<Widths, String> architecture, Checkpointer checkpointer) {
      this(batch, testBatch, seed, outDir, terminal, architecture, checkpointer, false, 0);
    }

    /** Options without plain progress lines. */
    public Options(
        int batch, int testBatch, long seed, Path outDir, boolean terminal,
        Function<Widths, String> architecture, Checkpointer checkpointer, boolean recordSteps) {
      this(batch, testBatch, seed, outDir, terminal, architecture, checkpointer, recordSteps, 0);
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
  private int nextEpoch;
  private double best = Double.NaN;

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
    restore(resume);
    return run();
  }

  /**
   * Loads {@code resume} (null: nothing to load): weights, widths and layout (re-planning the
   * network), optimiser state and the best top-1 so far. {@link #run()} then continues from there.
   */
  public void restore(TrainState resume) {
    if (resume == null) return;
    nextEpoch = resume.nextEpoch();
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

  /** Trains from the current epoch (0, or the one {@link #restore} loaded) to the end. */
  public Result run() throws IOException {
    try (StepRunner steps = new StepRunner(options.recordSteps())) {
      return run(steps);
    }
  }

  private Result run(StepRunner steps) throws IOException {
    int epoch = nextEpoch;
    Path dir = options.outDir();
    // A run killed during a write leaves its temporary file beside the intact output; the next run
    // in the folder removes it (only AtomicFiles' own names for these outputs).
    if (dir != null) {
      for (Path stale : AtomicFiles.removeStale(dir, OUTPUTS)) {
        out.println("note: removed " + stale + ", left by an interrupted write");
      }
    }
    MetricsCsv metrics = dir == null ? null : new MetricsCsv(dir.resolve("metrics.csv"), epoch);
    Progress progress = new Progress(out, options.terminal(), options.progressEvery());
    Tally lastTest = null;
    double seconds = 0;
    long images = 0;
    int first = epoch;
    boolean rejuvenated = net.layout() != null;
    double utilization = Double.NaN; // the last one measured, shown while the next epoch trains
    while (epoch < nr.totalEpochs()) {
      double lr = nr.learningRate(epoch);
      double lambda = nr.lambda();
      String phase = nr.phase();
      long t0 = System.nanoTime();
      Tally tr = trainEpoch(epoch, lr, lambda, progress, steps, utilization);
      double trainSec = (System.nanoTime() - t0) / 1e9;
      seconds += trainSec;
      images += tr.samples();
      Tally te = Evaluator.evaluate(net, test, options.testBatch());
      progress.finish((System.nanoTime() - t0) / 1e9);
      lastTest = te;
      if (Double.isNaN(best) || te.top1() > best) best = te.top1();
      long params = net.parameters().paramCount();
      NrControl.Outcome o = nr.endOfEpoch(epoch, net.exportParams(nr::inspects), epochSeed(options.seed(), epoch, 1));
      utilization = o.utilization();
      out.printf(
          Locale.ROOT,
          "%s  lr %.4g  loss %.4f  train %.2f%%  test loss %.4f  top1 %.2f%%  top5 %.2f%%%s%s  %.1fs  %.0f img/s%n",
          epochLabel(epoch + 1, epoch + 1, 0), lr, tr.loss(), 100 * tr.top1(), te.loss(), 100 * te.top1(),
          100 * te.top5(),
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
                te.survivorTop1(), te.newTop1(), o.utilization(), params, trainSec, tr.samples() / trainSec,
                tr.survivorLoss(), tr.newLoss(), te.survivorLoss(), te.newLoss()));
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

  /**
   * "epoch 4/8 (+3 sparse)": the epoch's number (1-based, as metrics.csv counts), the planned
   * epochs (constant through a run) and, once the sparse phase has added some, how many (spec
   * §2.2: each sparse epoch moves the end and the LR milestones one epoch later). The run ends at
   * planned + sparse.
   *
   * @param finished epochs finished now (the NR state's total is shifted by their sparse ones)
   * @param running 1 when the epoch shown is a sparse epoch still running (it adds its one as it
   *     ends; counting it from its start keeps the label the same all through the epoch), else 0
   */
  private String epochLabel(int number, int finished, int running) {
    int sparse = nr.sparseEpochs(finished);
    int planned = nr.totalEpochs() - sparse;
    return sparse + running > 0
        ? String.format(Locale.ROOT, "epoch %d/%d (+%d sparse)", number, planned, sparse + running)
        : String.format(Locale.ROOT, "epoch %d/%d", number, planned);
  }

  private Tally trainEpoch(int epoch, double lr, double lambda, Progress progress, StepRunner steps, double utilization) {
    Tally t = new Tally();
    int k = net.ir().classes();
    int batches = (train.size() + options.batch() - 1) / options.batch();
    String phase = nr.phase();
    int running = phase.equals("sparse") ? 1 : 0;
    progress.start(
        new Progress.Epoch(
            epochLabel(epoch + 1, epoch, running), batches, options.batch(), phase,
            phase.equals("mixed") ? Double.NaN : utilization, // measured while sparse only
            nr.totalEpochs() + running - epoch - 1, running == 1));
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
      t.add(loss, net.survivorLoss(), net.logits(), fresh == null ? null : net.survivorLogits(), fresh, b.labels(), k);
      progress.update(++done, t.loss(), t.top1());
    }
    return t;
  }

  private void rejuvenate(NrControl.Rejuvenated r) throws IOException {
    net.rejuvenate(r.widths(), r.layout(), r.surgery()); // survivors copied on the device
    if (r.bnRestore()) {
      net.importParams(nr.applyPendingBnRestore(net.exportParams()));
    }
    sgd.close();
    sgd = new Sgd(net.backend(), net.parameters(), sgdConfig); // fresh momentum (spec §2.2)
    // Announced once: the report's table starts with the trigger, utilization and expand rate.
    if (r.table() != null) {
      out.print(r.table().endsWith("\n") ? r.table() : r.table() + "\n");
    } else {
      out.printf(Locale.ROOT, "rejuvenated: expand rate %.4f, new widths %s%n", r.expandRate(), r.widths());
    }
    Path dir = options.outDir();
    if (dir == null) return;
    if (r.json() != null) AtomicFiles.writeString(dir.resolve("rejuvenation.json"), r.json());
    if (options.architecture() != null) {
      AtomicFiles.writeString(dir.resolve("network.nr"), options.architecture().apply(r.widths()));
    }
    if (r.report() != null) draw("widths.png", () -> WidthsChart.write(r.report(), dir.resolve("widths.png")));
  }

  /** metrics.png next to metrics.csv. */
  private void plot(Path dir) {
    draw("metrics.png", () -> MetricsChart.write(dir.resolve("metrics.csv"), nr.utilizationTarget(), dir.resolve("metrics.png")));
  }

  private interface Drawing {
    void run() throws IOException;
  }

  /** A picture is not worth failing a run for: a failure becomes a note. */
  private void draw(String name, Drawing d) {
    try {
      d.run();
    } catch (IOException | RuntimeException | Error e) {
      out.println("note: could not draw " + name + ": " + e);
    }
  }

  /** The optimiser in use (a new one after each rejuvenation). */
  public Sgd optimizer() {
    return sgd;
  }
}
