package io.nrj.runtime.train;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.runtime.HostParams;

/**
 * An NrControl that rejuvenates once, after epoch {@code at}, to the hand-made mixed chain of the
 * model tests (as the NR engine would hand it over); a sparse phase with lambda before.
 */
final class FakeRejuvenation implements NrControl {
  private final int at;
  private final int epochs;
  private final boolean compressOnly;
  private boolean rejuvenated;

  FakeRejuvenation(int at, int epochs, boolean compressOnly, String state) {
    this.at = at;
    this.epochs = epochs;
    this.compressOnly = compressOnly;
    this.rejuvenated = state != null && state.contains("true");
  }

  @Override
  public double lambda() {
    return rejuvenated ? 0 : 1e-3;
  }

  @Override
  public boolean l1Applies(IrNode.Conv conv) {
    return !conv.fixed();
  }

  @Override
  public int totalEpochs() {
    return epochs;
  }

  @Override
  public double learningRate(int epoch) {
    return epoch >= 2 ? 0.01 : 0.05;
  }

  @Override
  public Outcome endOfEpoch(int epoch, HostParams params, long seed) {
    if (rejuvenated || epoch != at) return new Outcome(rejuvenated ? 1.0 : 0.5, lambda(), null);
    rejuvenated = true;
    Rejuvenated r =
        new Rejuvenated(
            io.nrj.runtime.model.NetFixturesAccess.MIXED_WIDTHS,
            io.nrj.runtime.nr.Surgery.replaceAll(io.nrj.runtime.model.NetFixturesAccess.mixedParams(seed, 0f)),
            io.nrj.runtime.model.NetFixturesAccess.mixedLayout(CrossMode.REMOVED),
            "layer  live/total  width\nc0  2/4  6\n",
            "{\"expand_rate\": 1.5}\n",
            1.5,
            false);
    return new Outcome(0.25, 1e-3, r);
  }

  @Override
  public boolean stopAfterRejuvenation() {
    return compressOnly;
  }

  @Override
  public String stateJson() {
    return "{\"rejuvenated\": " + rejuvenated + "}";
  }

  @Override
  public String phase() {
    return rejuvenated ? "mixed" : "sparse";
  }
}
