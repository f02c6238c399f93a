package io.nrj.runtime.train;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.runtime.HostParams;

/**
 * Plain training without Neural Rejuvenation: lambda 0, the schedule's epochs, and the LR
 * multiplied by gamma at the start of each listed epoch. Used for baselines, benchmarks and tests;
 * NR runs use the engine.
 */
public final class ScheduleControl implements NrControl {
  private final ScheduleIr schedule;
  private final int epochs;

  /** @param epochs total epochs (the schedule's, or an override) */
  public ScheduleControl(ScheduleIr schedule, int epochs) {
    this.schedule = schedule;
    this.epochs = epochs;
  }

  @Override
  public double lambda() {
    return 0;
  }

  @Override
  public boolean l1Applies(IrNode.Conv conv) {
    return false;
  }

  @Override
  public int totalEpochs() {
    return epochs;
  }

  @Override
  public double learningRate(int epoch) {
    double lr = schedule.sgd().lr();
    for (int m : schedule.lrSteps()) if (epoch >= m) lr *= schedule.gamma();
    return lr;
  }

  @Override
  public Outcome endOfEpoch(int epoch, HostParams params, long seed) {
    return new Outcome(Double.NaN, 0, null);
  }

  @Override
  public boolean stopAfterRejuvenation() {
    return false;
  }

  @Override
  public String stateJson() {
    return "{}";
  }

  @Override
  public String phase() {
    return "plain";
  }
}
