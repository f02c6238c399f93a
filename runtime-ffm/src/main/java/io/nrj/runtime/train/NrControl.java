package io.nrj.runtime.train;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.Widths;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.nr.MixedLayout;
import io.nrj.runtime.nr.RejuvenationReport;
import io.nrj.runtime.nr.Surgery;

/**
 * What the training loop asks of the Neural Rejuvenation engine: the sparse phase's L1 term, the
 * (shifting) schedule, and the end-of-epoch inspection that may rejuvenate. Implemented over
 * {@code io.nrj.runtime.nr.NrEngine}; kept as an interface so the loop can be tested with a
 * hand-made rejuvenation.
 */
public interface NrControl {
  /** Current L1 coefficient (0 outside the sparse phase). */
  double lambda();

  /** Whether the L1 term applies to this conv's BN scale (not fixed layers, spec §2.1). */
  boolean l1Applies(IrNode.Conv conv);

  /** Total epochs, shifted by one per sparse epoch (spec §2.2). */
  int totalEpochs();

  /** The learning rate at the start of 0-based {@code epoch}. */
  double learningRate(int epoch);

  /** After epoch {@code epoch} (0-based) finished: inspect, maybe rejuvenate. */
  Outcome endOfEpoch(int epoch, HostParams params, long seed);

  /** Compress-only mode: stop right after rejuvenation (spec §2.3). */
  boolean stopAfterRejuvenation();

  /** The engine's state, for checkpoints. */
  String stateJson();

  /** The current phase's name for reports and metrics: "plain", "sparse", "no-trigger" or "mixed". */
  String phase();

  /**
   * How many epochs the sparse phase has added to the run after {@code finishedEpochs} epochs: one
   * per sparse epoch, including the one rejuvenation fired in (spec §2.2). The planned length of
   * the run is {@link #totalEpochs()} minus this; progress lines show it as "+N sparse".
   */
  default int sparseEpochs(int finishedEpochs) {
    return 0;
  }

  /** The utilization the sparse phase aims for (NaN when there is none), drawn in metrics.png. */
  default double utilizationTarget() {
    return Double.NaN;
  }

  /**
   * Called with the tensors loaded from a checkpoint at resume, and with the network's tensors
   * right after a rejuvenation whose {@link Rejuvenated#bnRestore()} is set; returns the tensors to
   * train with (the NR engine runs a pending bn_restore here, spec §2.3, §7), or {@code params}
   * itself when nothing is due.
   */
  default HostParams applyPendingBnRestore(HostParams params) {
    return params;
  }

  /** The tensors {@link #endOfEpoch} reads: all by default; the NR engine only needs the BN scales. */
  default boolean inspects(String tensorName) {
    return true;
  }

  /** One epoch's inspection; {@code rejuvenation} is null when it did not fire. */
  record Outcome(double utilization, double lambda, Rejuvenated rejuvenation) {}

  /**
   * A rejuvenation (spec §5): the new widths, the surgery building the tensors at those widths from
   * the current ones (on the device), the survivor/new layout, the per-layer report as a terminal
   * table and as JSON, the expand rate, whether bn_restore is due right after the surgery, and the
   * report itself for widths.png (null: no picture).
   */
  record Rejuvenated(
      Widths widths, Surgery surgery, MixedLayout layout, String table, String json, double expandRate,
      boolean bnRestore, RejuvenationReport report) {
    /** Without a report (no widths.png). */
    public Rejuvenated(
        Widths widths, Surgery surgery, MixedLayout layout, String table, String json, double expandRate,
        boolean bnRestore) {
      this(widths, surgery, layout, table, json, expandRate, bnRestore, null);
    }
  }
}
