package io.nrj.cli.compare;

import io.nrj.dsl.Plural;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.runtime.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code nrj compare}: trains an NR schedule and its baselines for K seeds, each run a child {@code
 * nrj train} process in its own directory under {@code out}, up to {@code jobs} at a time, then
 * writes {@code compare.md} and {@code compare.png} from the runs' own files. The NR runs and the
 * plain baselines are queued first; the optional baselines that depend on an NR run of the same seed
 * (its total epochs, its weights in use) are queued when that run ends. Finished runs are reused and
 * interrupted ones resumed, so an interrupted comparison continues where it stopped when started
 * again. When a training fails, the others still run to their end; then the comparison fails,
 * naming each failed run's log.
 *
 * @param specFile the spec, for the report
 * @param network the network as declared
 * @param schedule its NR schedule
 * @param epochs the schedule's epochs E (the {@code --epochs} override or the schedule's own)
 * @param seeds seeds 1..seeds
 * @param arms the arms to run (NR and the baseline always; the others on request)
 * @param out the comparison's directory
 * @param jobs runs at a time
 * @param training how each run is started
 * @param command the command line, for the report
 */
public record Comparison(
    Path specFile, NetworkIr network, ScheduleIr schedule, int epochs, int seeds, List<Arm> arms, Path out, int jobs,
    TrainProcess training, String command) {
  public Comparison {
    arms = List.copyOf(arms);
  }

  /** Runs (or reuses) every run and writes the reports; returns the runs by arm. */
  public Map<Arm, List<RunSummary>> run(PrintStream log) throws IOException, InterruptedException {
    ArmSpecs specs = new ArmSpecs(network, schedule, epochs);
    Files.createDirectories(out);
    List<Task> first = new ArrayList<>();
    for (long seed = 1; seed <= seeds; seed++) {
      first.add(task(Arm.NR, seed, specs.nr()));
      first.add(task(Arm.BASELINE, seed, specs.baseline()));
    }
    // Check these directories first, so a foreign run stops the comparison before anything trains.
    for (Task t : first) t.run().state(t.spec().text());
    Map<RunDir, RunSummary> done = new ConcurrentHashMap<>();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(jobs);
    try {
      List<CompletableFuture<?>> all = new ArrayList<>();
      for (Task t : first) {
        CompletableFuture<RunSummary> f = submit(t, pool, done, failures, log);
        all.add(f);
        if (t.run().arm() != Arm.NR) continue;
        // A seed's dependent baselines queue as soon as its NR run has ended (its sparse epochs and
        // weights in use decide their specs); they wait for nothing else.
        long seed = t.run().seed();
        all.add(f.thenCompose(nr -> {
          if (nr == null) return CompletableFuture.completedFuture(null); // NR failed: reported already
          List<CompletableFuture<RunSummary>> more = new ArrayList<>();
          if (arms.contains(Arm.BASELINE_LONG)) {
            more.add(submit(task(Arm.BASELINE_LONG, seed, specs.baselineLong(nr.sparseEpochs())), pool, done, failures, log));
          }
          if (arms.contains(Arm.EQUAL_USED)) {
            more.add(submit(task(Arm.EQUAL_USED, seed, specs.equalUsed(nr.usedParams())), pool, done, failures, log));
          }
          return CompletableFuture.allOf(more.toArray(CompletableFuture[]::new));
        }));
      }
      join(all);
    } finally {
      pool.shutdownNow();
    }
    if (!failures.isEmpty()) {
      List<String> sorted = new ArrayList<>(failures);
      Collections.sort(sorted);
      throw new IllegalStateException(
          Plural.of(sorted.size(), "run") + " failed:\n  " + String.join("\n  ", sorted));
    }
    Map<Arm, List<RunSummary>> byArm = new EnumMap<>(Arm.class);
    for (Arm a : Arm.values()) {
      if (!arms.contains(a)) continue;
      List<RunSummary> rs = new ArrayList<>();
      for (RunSummary r : done.values()) if (r.run().arm() == a) rs.add(r);
      rs.sort((p, q) -> Long.compare(p.run().seed(), q.run().seed()));
      byArm.put(a, rs);
    }
    String title = "nrj compare: " + network.name() + " with " + schedule.name();
    CompareReport report = new CompareReport(title, setup(), byArm);
    AtomicFiles.writeString(out.resolve("compare.md"), report.markdown());
    ComparePlot.write(title, byArm, out.resolve("compare.png"));
    log.printf(Locale.ROOT, "wrote %s and %s%n", out.resolve("compare.md"), out.resolve("compare.png"));
    return byArm;
  }

  private List<String> setup() {
    List<String> lines = new ArrayList<>();
    lines.add("- spec `" + specFile + "`, network `" + network.name() + "`, schedule `" + schedule.name() + "`, "
        + epochs + " epochs (the NR runs add their sparse epochs, spec §2.2)");
    lines.add("- seeds 1 to " + seeds + "; arms: "
        + String.join("; ", arms.stream().map(Arm::label).toList())
        + "; every baseline is the schedule without its `rejuvenate` block (λ = 0, no trigger)");
    lines.add("- command: `" + command + "`");
    lines.add("- each run's directory (`nr-seed1`, `baseline-seed1`, ...) holds the `spec.nr` it trained and its"
        + " `train.log`, whose first line is the exact `nrj train` command");
    return lines;
  }

  /** One run to make: where, and what it trains. */
  private record Task(RunDir run, ArmSpecs.Spec spec) {}

  private Task task(Arm arm, long seed, ArmSpecs.Spec spec) {
    return new Task(new RunDir(out.resolve(arm.dir(seed)), arm, seed), spec);
  }

  /**
   * Queues {@code t} on {@code pool}; completes with its summary (also put in {@code done}), or with
   * null when its training failed (the failure, naming the log, goes to {@code failures}).
   */
  private CompletableFuture<RunSummary> submit(
      Task t, ExecutorService pool, Map<RunDir, RunSummary> done, List<String> failures, PrintStream log) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        String failure = runOne(t, log);
        if (failure != null) {
          failures.add(failure);
          return null;
        }
        RunSummary r = RunSummary.read(t.run());
        done.put(t.run(), r);
        return r;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancellationException("interrupted");
      }
    }, pool);
  }

  /** Waits for every future; the first error (an unreadable run, say) is thrown as itself. */
  private static void join(List<CompletableFuture<?>> all) throws IOException, InterruptedException {
    try {
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof UncheckedIOException io) throw io.getCause();
      if (c instanceof RuntimeException re) throw re;
      if (c instanceof Error err) throw err;
      throw new IllegalStateException(c);
    }
  }

  /** Trains one run (or reuses it); returns null, or a one-line failure naming its log. */
  private String runOne(Task t, PrintStream log) throws IOException, InterruptedException {
    RunDir run = t.run();
    String name = out.relativize(run.dir()).toString();
    RunDir.State state = run.state(t.spec().text());
    if (state == RunDir.State.DONE) {
      say(log, name + ": finished earlier, reused");
      return null;
    }
    if (state == RunDir.State.FRESH) run.start(t.spec().text());
    say(log, name + (state == RunDir.State.RESUME ? ": resuming from its checkpoint" : ": training") + " (log " + run.log() + ")");
    long t0 = System.nanoTime();
    int code = TrainProcess.run(training.command(run, t.spec(), state == RunDir.State.RESUME), run);
    double seconds = (System.nanoTime() - t0) / 1e9;
    run.ended(seconds, code == 0);
    if (code != 0) {
      String failure = name + ": nrj train failed (exit " + code + "): " + lastLine(run.log()) + " (see " + run.log() + ")";
      say(log, failure);
      return failure;
    }
    RunSummary r = RunSummary.read(run);
    say(log, String.format(Locale.ROOT, "%s: done in %.0f s, final test top-1 %s%%", name, seconds, CompareReport.pct(r.finalTop1())));
    return null;
  }

  private static String lastLine(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log);
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (!lines.get(i).isBlank() && !lines.get(i).startsWith("WARNING: Using incubator")) return lines.get(i).strip();
    }
    return "(no output)";
  }

  private static void say(PrintStream log, String line) {
    synchronized (log) {
      log.println(line);
    }
  }
}
