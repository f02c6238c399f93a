package io.nrj.cli.compare;

import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.runtime.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code nrj compare}: trains an NR schedule and its baselines for K seeds, each run a child {@code
 * nrj train} process in its own directory under {@code out}, up to {@code jobs} at a time, then
 * writes {@code compare.md} and {@code compare.png} from the runs' own files. The NR runs and the
 * plain baselines go first; the optional baselines that depend on an NR run of the same seed (its
 * total epochs, its weights in use) follow. Finished runs are reused and interrupted ones resumed,
 * so an interrupted comparison continues where it stopped when started again.
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
    Map<RunDir, RunSummary> done = execute(first, log);
    List<Task> second = new ArrayList<>();
    for (long seed = 1; seed <= seeds; seed++) {
      RunSummary nr = done.get(task(Arm.NR, seed, null).run());
      if (arms.contains(Arm.BASELINE_LONG)) second.add(task(Arm.BASELINE_LONG, seed, specs.baselineLong(nr.sparseEpochs())));
      if (arms.contains(Arm.EQUAL_USED)) second.add(task(Arm.EQUAL_USED, seed, specs.equalUsed(nr.usedParams())));
    }
    done.putAll(execute(second, log));
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

  /** Runs {@code tasks}, {@code jobs} at a time; fails after all ended when any failed. */
  private Map<RunDir, RunSummary> execute(List<Task> tasks, PrintStream log)
      throws IOException, InterruptedException {
    Map<RunDir, RunSummary> results = new LinkedHashMap<>();
    // Check every directory first, so a foreign run stops the comparison before anything trains.
    for (Task t : tasks) t.run().state(t.spec().text());
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(jobs, tasks.size())));
    try {
      List<Future<String>> futures = new ArrayList<>();
      for (Task t : tasks) futures.add(pool.submit(() -> runOne(t, log)));
      List<String> failures = new ArrayList<>();
      for (Future<String> f : futures) {
        try {
          String failure = f.get();
          if (failure != null) failures.add(failure);
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          if (c instanceof IOException io) throw io;
          if (c instanceof RuntimeException re) throw re;
          throw new IllegalStateException(c);
        }
      }
      if (!failures.isEmpty()) {
        throw new IllegalStateException(String.join("\n", failures));
      }
    } finally {
      pool.shutdownNow();
    }
    for (Task t : tasks) results.put(t.run(), RunSummary.read(t.run()));
    return results;
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
