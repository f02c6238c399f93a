package io.nrj.runtime.nr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.ir.NetworkIr;
import io.nrj.runtime.HostParams;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LivenessTest {
  static final double LIVE = 0.01, DEAD = 1e-3;

  static Liveness inspect(NetworkIr ir, HostParams p) {
    return Liveness.inspect(ir, p, LIVE, DEAD, Set.of());
  }

  @Test
  void liveMaskOfSpecExampleIsTrueFalseTrueTrue() { // spec §13.3
    NetworkIr ir = Nets.vgg();
    HostParams p = Nets.params(ir, 1);
    Nets.setGamma(p, "f.c2", 1.0f, 0.0099f, 0.0101f, -0.5f, 0.5f, 0.5f, 0.5f, 0.5f);
    boolean[] live = inspect(ir, p).convLive(1);
    assertArrayEquals(new boolean[] {true, false, true, true, true, true, true, true}, live);
  }

  @Test
  void thresholdIsFloat32SoGammaEqualToOnePercentOfMaxIsLive() { // spec §13.3 edge case
    NetworkIr ir = Nets.vgg();
    HostParams p = Nets.params(ir, 1);
    Nets.setGamma(p, "f.c2", 1.0f, 0.01f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f);
    assertTrue(inspect(ir, p).convLive(1)[1]);
    // The edge is real: a double threshold would call it dead.
    assertTrue(Math.abs(0.01f) < 1.0f * 0.01);
  }

  @Test
  void freshNetworkHasUtilizationOne() { // spec §13.2
    NetworkIr ir = Nets.vgg();
    Utilization u = Utilization.of(ir, inspect(ir, Nets.params(ir, 2)), io.nrj.dsl.ir.NrSettings.Measure.PARAMS);
    assertEquals(1.0, u.value());
    assertEquals(3 * 8 * 9 + 8 * 8 * 9 + 8 * 12 * 9 + 12 * 12, u.all());
  }

  @Test
  void layerWithMaxGammaBelowDeadThresholdIsFullyDeadAndKillsTheChain() {
    NetworkIr ir = Nets.vgg();
    HostParams p = Nets.params(ir, 3);
    Nets.setGamma(p, "f.c2", 9e-4f, 1e-4f, 0, 0, 0, 0, 0, 5e-4f);
    Liveness lv = inspect(ir, p);
    assertEquals(Set.of(1, 2, 3), lv.allDead()); // c3 and c4 have no live input
    assertEquals(0, lv.liveOut(1));
    assertEquals(0, Liveness.count(lv.classifierLiveIn()));
    assertEquals(12, lv.classifierLiveIn().length);
  }

  @Test
  void fullyDeadIsStickyEvenWhenGammaRecovers() {
    NetworkIr ir = Nets.vgg();
    Liveness lv = Liveness.inspect(ir, Nets.params(ir, 4), LIVE, DEAD, Set.of(3));
    assertEquals(Set.of(3), lv.allDead());
    assertArrayEquals(new boolean[12], lv.convLive(3));
  }

  @Test
  void fixedLayerKeepsEveryNeuronWhateverItsGamma() {
    NetworkIr ir = Nets.resnet();
    HostParams p = Nets.params(ir, 5);
    Nets.setGamma(p, "s1.b", 1f, 1e-6f, 1e-6f, 1e-6f, 1e-6f, 1e-6f, 1e-6f, 1e-6f);
    assertEquals(8, inspect(ir, p).liveOut(2));
  }

  @Test
  void fullyDeadTestTakesPriorityOverFixed() {
    NetworkIr ir = Nets.resnet();
    HostParams p = Nets.params(ir, 6);
    Nets.setGamma(p, "s3.e", new float[8]); // every gamma 0: e dead, so fixed f has no live input
    Liveness lv = inspect(ir, p);
    assertEquals(Set.of(6, 7), lv.allDead());
    assertFalse(lv.convLive(7)[0]);
  }

  @Test
  void residualSumIsAllLiveWithBranchZeroWidthEvenWhenBranchIsDead() {
    NetworkIr ir = Nets.resnet();
    HostParams p = Nets.params(ir, 7);
    Nets.setGamma(p, "s3.e", new float[8]);
    Nets.setGamma(p, "s2.c", 1f, 0, 0, 0, 1f, 1f, 0, 0, 0, 0, 0, 1f);
    Liveness lv = inspect(ir, p);
    assertEquals(4, lv.liveOut(3));
    assertEquals(16, lv.liveIn(6)); // after s2.add everything is live
    assertEquals(16, Liveness.count(lv.classifierLiveIn()));
  }

  @Test
  void concatenationConcatenatesRangesInInputOrder() {
    NetworkIr ir = Nets.dense();
    HostParams p = Nets.params(ir, 8);
    Nets.setGamma(p, "stem", 1f, 0, 1f, 1f, 0, 1f);
    Nets.setGamma(p, "d1.b", 0, 1f, 0, 1f);
    Nets.setGamma(p, "d2.d", 1f, 1f, 0, 0);
    Liveness lv = inspect(ir, p);
    boolean t = true, f = false;
    assertArrayEquals(new boolean[] {t, f, t, t, f, t, f, t, f, t}, lv.convLiveIn(3));
    assertArrayEquals(new boolean[] {t, f, t, t, f, t, f, t, f, t, t, t, f, f}, lv.convLiveIn(5));
  }

  @Test
  void fullyDeadLayerInDenseBlockLeavesAllFalseRange() { // spec §12 B4
    NetworkIr ir = Nets.dense();
    HostParams p = Nets.params(ir, 9);
    Nets.setGamma(p, "d2.d", 1e-4f, 0, 0, 0);
    Liveness lv = inspect(ir, p);
    assertEquals(Set.of(4), lv.allDead());
    assertEquals(14, lv.liveIn(5) + 4);
    assertEquals(10, lv.liveIn(5));
  }

  @Test
  void residualSumWhoseInputsAreAllFullyDeadIsAllDead() {
    NetworkIr ir = Nets.resnet();
    HostParams p = Nets.params(ir, 10);
    Nets.setGamma(p, "s2.c", new float[12]); // c dead, so d (fixed) dead
    Nets.setGamma(p, "s2.proj", new float[16]); // the projection's max gamma is below 1e-3
    Liveness lv = inspect(ir, p);
    assertEquals(Set.of(3, 4, 5, 6, 7), lv.allDead()); // block 3 reads nothing
    assertEquals(0, Liveness.count(lv.classifierLiveIn()));
  }
}
