package io.nrj.runtime.nr;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrSettings;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.Widths;
import io.nrj.runtime.HostParams;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Neural Rejuvenation engine: the state machine the training loop consults at every epoch end
 * (spec §2.2, §2.3). It owns λ, the phase, the shifted schedule, the sticky fully-dead set, the
 * widths and the mixed layout; it does not own the optimiser, the backend or the data. The L1
 * sub-gradient itself ({@code gamma.grad += λ·sign(gamma)} before weight decay and momentum, spec
 * §2.1) is applied by the backend's optimiser for every conv where {@link #l1Applies} holds.
 *
 * <p>Choices where the spec lists an ambiguity (§12), all following its recommendation:
 *
 * <ul>
 *   <li>B1, B4: a fully dead layer is deleted and contributes 0 channels; a residual sum takes its
 *       width from a live input; a classifier that receives nothing is an error.
 *   <li>B2: λ = 0 after rejuvenation, also for the adaptive ramp (no bump in the trigger epoch).
 *   <li>B3: bn_restore in the mode the schedule names, with the 1e-12 guard. A2: it runs once, on
 *       the rejuvenated network: right after rejuvenation in a single run, or at the first resume
 *       after a compress-only run ({@link #applyPendingBnRestore}); the state records that it ran.
 *   <li>B5: in FLOPs mode a fully dead layer adds its FLOPs (not its parameters) to the
 *       denominator.
 *   <li>B6: layers with no new inputs or outputs stay unsplit with random cross weights
 *       (reproduced).
 *   <li>B7: fixed layers stay exempt from L1 after rejuvenation too.
 *   <li>C1: target ≥ 0.999 disables the trigger and the shifting but λ still applies; utilization is
 *       still measured and reported in that mode (it changes nothing).
 *   <li>C3: e = 1 is reported as a warning in the log and in the report.
 *   <li>D1: the state holds phase, λ, u_old, the shifted epochs and milestones, the fully-dead set,
 *       the widths and the layout, and the LR is derived from (epoch, milestones).
 * </ul>
 *
 * Not thread-safe; one instance per run.
 */
public final class NrEngine {
  /** Where the run stands. */
  public enum Phase {
    /** No NR settings: plain training, λ = 0. */
    PLAIN,
    /** Sparse phase: λ applies, epochs and milestones shift, utilization is inspected. */
    SPARSE,
    /** target ≥ 0.999: λ applies but rejuvenation never fires (spec §2.2, §12 C1). */
    NO_TRIGGER,
    /** Rejuvenated: mixed training, λ = 0. */
    REJUVENATED
  }

  private final NetworkIr ir;
  private final NrSettings nr;
  private Phase phase;
  private double lambda;
  private double uOld;
  private NrSchedule schedule;
  private Set<Integer> allDead;
  private Widths widths;
  private MixedLayout layout;
  private int rejuvenatedAfter;
  private double expandRate;
  private boolean bnRestoreDone;
  private boolean rejuvenatedNow; // in this process, not persisted

  /** A fresh run; {@code schedule.nr()} may be null (plain training). */
  public NrEngine(NetworkIr ir, ScheduleIr schedule) {
    this.ir = ir;
    this.nr = schedule.nr();
    this.schedule =
        new NrSchedule(schedule.epochs(), schedule.lrSteps(), schedule.sgd().lr(), schedule.gamma());
    this.phase = nr == null ? Phase.PLAIN : nr.target() >= 0.999 ? Phase.NO_TRIGGER : Phase.SPARSE;
    this.lambda =
        switch (nr == null ? null : nr.sparsity()) {
          case null -> 0.0;
          case NrSettings.FixedSparsity f -> f.lambda();
          case NrSettings.AdaptiveSparsity a -> a.start();
        };
    this.uOld = 1.0;
    this.allDead = new TreeSet<>();
    this.widths = ir.widths();
    this.layout = null;
    this.rejuvenatedAfter = -1;
    this.expandRate = 0.0;
  }

  /**
   * Rebuilds an engine from {@link #stateJson()}; the IR and schedule are the run's originals. A
   * state from an nrj that joined rejuvenated concatenations in plain input order is refused where
   * that changes the network's meaning (see {@link #restore(NetworkIr, ScheduleIr, String, long)}).
   */
  public static NrEngine restore(NetworkIr ir, ScheduleIr schedule, String stateJson) {
    return restore(ir, schedule, stateJson, Long.MAX_VALUE);
  }

  /**
   * Rebuilds an engine from a checkpoint's NR state and optimiser step count, which restarts at 0
   * at rejuvenation: a state written by an nrj that joined concatenations in plain input order
   * after rejuvenation (NR state version 1) is refused when one of the network's concatenations
   * now joins [survivor parts | new parts] in another order and steps have trained the tensors
   * since the surgery (spec §5.3; a checkpoint saved right at rejuvenation still loads).
   *
   * @throws IllegalArgumentException naming the problem (without the file)
   */
  public static NrEngine restore(NetworkIr ir, ScheduleIr schedule, String stateJson, long optimizerSteps) {
    NrEngine e = new NrEngine(ir, schedule);
    NrState.read(stateJson, ir, optimizerSteps).applyTo(e);
    return e;
  }

  /** Everything a resume needs (spec §12 D1), as a JSON object. */
  public String stateJson() {
    return new NrState(
            phase, lambda, uOld, schedule.epochs(), schedule.milestones(), List.copyOf(allDead),
            widths, layout, rejuvenatedAfter, expandRate, bnRestoreDone)
        .toJson();
  }

  void set(NrState s) {
    if ((nr == null) != (s.phase() == Phase.PLAIN)) {
      throw new IllegalArgumentException(
          "NR state: phase " + s.phase() + " does not fit a schedule "
              + (nr == null ? "without" : "with") + " NR settings");
    }
    phase = s.phase();
    lambda = s.lambda();
    uOld = s.uOld();
    schedule = new NrSchedule(s.epochs(), s.milestones(), schedule.baseLr(), schedule.gamma());
    allDead = new TreeSet<>(s.allDead());
    widths = s.widths();
    layout = s.layout();
    rejuvenatedAfter = s.afterEpoch();
    expandRate = s.expandRate();
    bnRestoreDone = s.bnRestoreDone();
  }

  public Phase phase() {
    return phase;
  }

  /** The current L1 coefficient on BN scales (0 in plain training and after rejuvenation). */
  public double lambda() {
    return lambda;
  }

  /** Whether the L1 term applies to this conv's BN scale: never for fixed or deleted layers. */
  public boolean l1Applies(IrNode.Conv conv) {
    return nr != null && !conv.fixed() && widths.get(conv.convIndex()) > 0;
  }

  /** Total epochs E, shifted by one for every sparse epoch. */
  public int totalEpochs() {
    return schedule.epochs();
  }

  /** LR milestones (0-based epochs where the LR is multiplied by gamma), shifted while sparse. */
  public List<Integer> milestones() {
    return schedule.milestones();
  }

  /** The LR for a 0-based epoch, from the current milestones. */
  public double learningRate(int epoch) {
    return schedule.learningRate(epoch);
  }

  public Widths widths() {
    return widths;
  }

  /** The mixed layout, or null before rejuvenation. */
  public MixedLayout layout() {
    return layout;
  }

  /**
   * Epoch-end bookkeeping in the authors' order: shift E and the milestones, inspect, check the
   * trigger (u ≤ target), rejuvenate, then the adaptive λ update.
   *
   * @param epoch the 0-based index of the epoch that just finished
   * @param params the network's current tensors (read only); the BN scales ({@code N.bn.weight})
   *     are all it reads, so a GPU run downloads only those
   * @param seed seeds the new neurons' random init if rejuvenation fires
   */
  public EpochResult endOfEpoch(int epoch, HostParams params, long seed) {
    if (phase == Phase.PLAIN || phase == Phase.REJUVENATED) {
      return new EpochResult(Double.NaN, lambda, null);
    }
    if (phase == Phase.NO_TRIGGER) {
      Liveness lv = inspect(params);
      return new EpochResult(Utilization.of(ir, lv, nr.measure()).value(), lambda, null);
    }
    // State changes are committed only once nothing can fail, so an error (for example a dead
    // classifier input, spec §12 B1) leaves the engine as it was before this call.
    NrSchedule shifted = schedule.shifted(); // before the trigger check (spec §2.2)
    Liveness lv = Liveness.inspect(ir, params, nr.liveThreshold(), nr.deadThreshold(), allDead);
    Utilization util = Utilization.of(ir, lv, nr.measure());
    double u = util.value();
    Rejuvenation rj = u <= nr.target() ? rejuvenate(epoch, lv, util, seed) : null;
    schedule = shifted;
    allDead = new TreeSet<>(lv.allDead());
    if (rj == null && nr.sparsity() instanceof NrSettings.AdaptiveSparsity a) {
      if (uOld - u < a.threshold()) lambda += a.step();
    }
    uOld = u;
    return new EpochResult(u, lambda, rj);
  }

  private Liveness inspect(HostParams params) {
    Liveness lv =
        Liveness.inspect(ir, params, nr.liveThreshold(), nr.deadThreshold(), allDead);
    allDead = new TreeSet<>(lv.allDead());
    return lv;
  }

  private Rejuvenation rejuvenate(
      int epoch, Liveness lv, Utilization util, long seed) {
    ExpandRate e = ExpandRate.of(nr.expand(), util.all(), util.live());
    Rejuvenator.Result r =
        Rejuvenator.plan(ir, widths, lv, e.value(), nr.newGamma(), nr.cross(), new Random(seed));
    // bn_restore runs right after the surgery in a single run (applyPendingBnRestore), and at the
    // resume of a compress-only run's second step (spec §2.3).
    boolean restoreNow = nr.bnRestore() > 0 && !nr.compressOnly();
    phase = Phase.REJUVENATED;
    lambda = 0.0; // spec §12 B2
    widths = r.widths();
    layout = r.layout();
    rejuvenatedAfter = epoch;
    expandRate = e.value();
    rejuvenatedNow = true;
    RejuvenationReport report =
        new RejuvenationReport(
            epoch, nr.measure(), util.live(), util.all(), util.value(), e.value(), e.warning(),
            r.layers(), r.classifier());
    return new Rejuvenation(widths, r.surgery(), layout, report, e.value(), restoreNow);
  }

  /**
   * Runs bn_restore (spec §7) if the schedule asks for it, the network is rejuvenated and it has
   * not run yet; returns the rescaled tensors, or {@code params} itself when nothing is due. The
   * loop calls this right after the surgery when {@link Rejuvenation#bnRestore()} says so, and
   * after loading a checkpoint (the two-step recipe's resume, spec §2.3).
   */
  public HostParams applyPendingBnRestore(HostParams params) {
    if (nr == null || phase != Phase.REJUVENATED || bnRestoreDone || !(nr.bnRestore() > 0)) {
      return params;
    }
    bnRestoreDone = true;
    return BnRestore.apply(ir, widths, params, layout, nr.bnRestore(), nr.bnRestoreMode());
  }

  /**
   * True right after rejuvenation fired in this process under a compress-only schedule: the loop
   * saves its checkpoint and stops (spec §2.3). A resumed run continues with mixed training.
   */
  public boolean stopAfterRejuvenation() {
    return nr != null && nr.compressOnly() && rejuvenatedNow;
  }

  /** The utilization target of the sparse phase; NaN without NR or when the trigger is off (§12 C1). */
  public double utilizationTarget() {
    return nr == null || nr.target() >= 0.999 ? Double.NaN : nr.target();
  }

  /** 0-based epoch after which rejuvenation fired, or -1. */
  public int rejuvenatedAfterEpoch() {
    return rejuvenatedAfter;
  }

  /** The expand rate used at rejuvenation, or 0 before. */
  public double expandRate() {
    return expandRate;
  }
}
