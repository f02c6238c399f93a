package io.nrj.cli.compare;

import io.nrj.dsl.CompileResult;
import io.nrj.dsl.Counter;
import io.nrj.dsl.Diagnostic;
import io.nrj.dsl.NrCompiler;
import io.nrj.dsl.NrPrinter;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.Widths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@code .nr} text each arm trains (written as {@code spec.nr} into its run directory, so every
 * run can be repeated with {@code nrj train}): the network in canonical form and one schedule
 * derived from the NR schedule. Every text is compiled before it is used, so a derived spec that
 * does not read back is an internal error here, not a failed run later.
 *
 * @param network the network as declared
 * @param schedule the NR schedule (with its {@code rejuvenate} block)
 * @param epochs the schedule's epochs E for every arm (the {@code --epochs} override, or the
 *     schedule's own)
 */
public record ArmSpecs(NetworkIr network, ScheduleIr schedule, int epochs) {
  /** The NR arm: the network and schedule as given, for E epochs (plus the sparse shift). */
  public Spec nr() {
    return spec(network, network.widths(), network.name(), withEpochs(schedule, schedule.name(), epochs, 0, true));
  }

  /** The baseline: the same recipe without NR for the schedule's own E epochs (the paper's rule). */
  public Spec baseline() {
    return spec(network, network.widths(), network.name(), withEpochs(schedule, baselineName(), epochs, 0, false));
  }

  /**
   * The baseline for as many epochs as an NR run that spent {@code sparseEpochs} epochs sparse
   * took in all, its LR steps moved by as many epochs: the NR run's learning-rate schedule.
   */
  public Spec baselineLong(int sparseEpochs) {
    return spec(
        network, network.widths(), network.name(),
        withEpochs(schedule, schedule.name() + "_baseline_long", epochs + sparseEpochs, sparseEpochs, false));
  }

  /**
   * The baseline at the widths {@link #scaledWidths} gives for {@code usedParams}: the plain
   * network with (about) the parameters an NR network uses.
   */
  public Spec equalUsed(long usedParams) {
    Widths w = scaledWidths(network, usedParams);
    return spec(network, w, network.name() + "_equal_used", withEpochs(schedule, baselineName(), epochs, 0, false));
  }

  private String baselineName() {
    return schedule.name() + "_baseline";
  }

  /** One arm's spec: its text and the names {@code nrj train} selects in it. */
  public record Spec(String text, String network, String schedule) {}

  private static Spec spec(NetworkIr ir, Widths widths, String name, ScheduleIr s) {
    String text =
        "# written by nrj compare: the network in canonical form and the schedule this run trains with\n"
            + NrPrinter.print(ir, widths, name) + "\n" + NrPrinter.print(s) + "\ntrain " + name + " with " + s.name() + "\n";
    CompileResult r = NrCompiler.compile("spec.nr", text);
    if (!r.ok()) {
      throw new IllegalStateException(
          "nrj compare wrote a spec that does not compile (a bug in nrj):\n"
              + r.diagnostics().stream().map(Diagnostic::format).collect(Collectors.joining("\n")) + "\n" + text);
    }
    return new Spec(text, name, s.name());
  }

  /**
   * {@code s} renamed, for {@code epochs} epochs, with its LR steps moved by {@code shift}, with or
   * without its NR block. Steps at or after the end never fire, so they are left out (the language
   * requires steps below {@code epochs}); in an NR run they move with the sparse epochs and stay
   * beyond the end too.
   */
  static ScheduleIr withEpochs(ScheduleIr s, String name, int epochs, int shift, boolean nr) {
    List<Integer> steps = new ArrayList<>();
    for (int step : s.lrSteps()) if (step + shift < epochs) steps.add(step + shift);
    return new ScheduleIr(
        name, epochs, s.batch(), s.testBatch(), s.sgd(), steps, s.gamma(), s.augment(), s.normalize(), s.dataset(),
        s.precision(), nr ? s.nr() : null, s.location());
  }

  /**
   * Every conv width times one factor f (rounded, at least 1), with f the largest factor whose
   * network has at most {@code targetParams} parameters; widths that were equal stay equal, so
   * residual sums still fit. Parameters grow with f, so f is found by bisection.
   *
   * @throws IllegalArgumentException when even width 1 everywhere has more parameters
   */
  static Widths scaledWidths(NetworkIr ir, long targetParams) {
    if (params(ir, 0) > targetParams) {
      throw new IllegalArgumentException(
          "no width scaling of '" + ir.name() + "' has at most " + targetParams + " parameters");
    }
    double lo = 0;
    double hi = 1;
    while (params(ir, hi) <= targetParams && hi < 1 << 20) hi *= 2;
    for (int i = 0; i < 60; i++) {
      double mid = (lo + hi) / 2;
      if (params(ir, mid) <= targetParams) lo = mid;
      else hi = mid;
    }
    return scale(ir.widths(), lo);
  }

  private static long params(NetworkIr ir, double f) {
    return Counter.count(ir, scale(ir.widths(), f)).params();
  }

  static Widths scale(Widths w, double f) {
    int[] out = w.toArray();
    for (int i = 0; i < out.length; i++) out[i] = (int) Math.max(1, Math.min(1 << 20, Math.round(out[i] * f)));
    return new Widths(out);
  }
}
