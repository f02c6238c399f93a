package io.nrj.runtime.nr;

import io.nrj.dsl.ir.IrNode;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.train.NrControl;

/**
 * The training loop's view ({@link NrControl}) of an {@link NrEngine}: a thin adapter that renders
 * the rejuvenation report as the terminal table and the {@code rejuvenation.json} text. Phases map
 * to "plain" (no NR), "sparse" (λ applies: the sparse phase, or a run whose target disables the
 * trigger) and "mixed" (rejuvenated).
 */
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
                rj.widths(), rj.params(), rj.layout(), rj.report().toTable(), rj.report().toJson(),
                rj.expandRate());
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
      case SPARSE, NO_TRIGGER -> "sparse";
      case REJUVENATED -> "mixed";
    };
  }
}
