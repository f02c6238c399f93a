package io.nrj.runtime.train;

import io.nrj.dsl.ir.IrNode;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.nr.EpochResult;
import io.nrj.runtime.nr.NrEngine;
import io.nrj.runtime.nr.Rejuvenation;

/** {@link NrControl} over the NR engine: what an NR run (and a plain schedule) trains with. */
public final class EngineControl implements NrControl {
  private final NrEngine engine;

  public EngineControl(NrEngine engine) {
    this.engine = engine;
  }

  public NrEngine engine() {
    return engine;
  }

  @Override
  public double lambda() {
    return engine.lambda();
  }

  @Override
  public boolean l1Applies(IrNode.Conv conv) {
    return engine.l1Applies(conv);
  }

  @Override
  public int totalEpochs() {
    return engine.totalEpochs();
  }

  @Override
  public double learningRate(int epoch) {
    return engine.learningRate(epoch);
  }

  @Override
  public Outcome endOfEpoch(int epoch, HostParams params, long seed) {
    EpochResult r = engine.endOfEpoch(epoch, params, seed);
    Rejuvenation rj = r.rejuvenation();
    Rejuvenated out =
        rj == null
            ? null
            : new Rejuvenated(
                rj.widths(), rj.surgery(), rj.layout(), rj.report().toTable(), rj.report().toJson(),
                rj.expandRate(), rj.bnRestore(), rj.report());
    return new Outcome(r.utilization(), r.lambda(), out);
  }

  @Override
  public boolean stopAfterRejuvenation() {
    return engine.stopAfterRejuvenation();
  }

  @Override
  public String stateJson() {
    return engine.stateJson();
  }

  @Override
  public String phase() {
    return switch (engine.phase()) {
      case PLAIN -> "plain";
      case SPARSE -> "sparse";
      case NO_TRIGGER -> "no-trigger"; // lambda applies, rejuvenation never fires (spec §12 C1)
      case REJUVENATED -> "mixed";
    };
  }

  @Override
  public int sparseEpochs(int finishedEpochs) {
    return switch (engine.phase()) {
      case SPARSE -> finishedEpochs; // every epoch so far was sparse and shifted the end
      case REJUVENATED -> engine.rejuvenatedAfterEpoch() + 1; // up to and including the trigger epoch
      case PLAIN, NO_TRIGGER -> 0;
    };
  }

  @Override
  public double utilizationTarget() {
    return engine.utilizationTarget();
  }

  @Override
  public HostParams applyPendingBnRestore(HostParams params) {
    return engine.applyPendingBnRestore(params);
  }

  @Override
  public boolean inspects(String tensorName) {
    return tensorName.endsWith(".bn.weight"); // liveness reads the BN scales only (spec §3)
  }
}
