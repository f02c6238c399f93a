package io.nrj.runtime.nr;

import io.nrj.runtime.train.EngineControl;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.SourceLocation;
import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrSettings;
import io.nrj.dsl.ir.NrSettings.BnRestoreMode;
import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.dsl.ir.NrSettings.ExpandRule;
import io.nrj.dsl.ir.NrSettings.Measure;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.runtime.HostParams;
import java.util.List;
import org.junit.jupiter.api.Test;

class NrEngineTest {
  static NrSettings settings(NrSettings.Sparsity s, double target, double bnRestore, boolean compressOnly) {
    return new NrSettings(
        s, target, Measure.PARAMS, 0.01, 1e-3, ExpandRule.SQRT, 0.5, CrossMode.REMOVED, bnRestore,
        BnRestoreMode.QUIRK, compressOnly);
  }

  static ScheduleIr schedule(NrSettings nr) {
    return new ScheduleIr(
        "s", 300, 64, 100, new ScheduleIr.Sgd(0.1, 0.9, 1e-4), List.of(150, 225), 0.1,
        ScheduleIr.Augment.NONE, ScheduleIr.Normalize.NONE, null, ScheduleIr.Precision.FP32, nr,
        SourceLocation.UNKNOWN);
  }

  static final NrSettings FIXED = settings(new NrSettings.FixedSparsity(1.5e-4), 0.25, 0, false);

  /** VGG with u = 286 / 1800 = 0.159: c1 3 live, c2 3 live, c3 4 live, c4 4 live. */
  static HostParams sparse(NetworkIr ir) {
    HostParams p = Nets.params(ir, 41);
    Nets.setGamma(p, "f.c1", 1f, 0, 1f, 0, 0, 0, 1f, 0);
    Nets.setGamma(p, "f.c2", 0, 1f, 1f, 0, 0, 0, 0, 1f);
    Nets.setGamma(p, "f.c3", 1f, 1f, 0, 0, 1f, 0, 0, 0, 0, 1f, 0, 0);
    Nets.setGamma(p, "f.c4", 1f, 1f, 0, 0, 1f, 0, 0, 0, 0, 1f, 0, 0);
    return p;
  }

  @Test
  void rejuvenationAfterTwelveEpochsShiftsTotalTo312AndMilestonesTo162And237() { // spec §13.7
    NetworkIr ir = Nets.vgg();
    NrEngine e = new NrEngine(ir, schedule(FIXED));
    HostParams dense = Nets.params(ir, 40);
    for (int epoch = 0; epoch < 11; epoch++) {
      EpochResult r = e.endOfEpoch(epoch, dense, 1);
      assertEquals(1.0, r.utilization());
      assertNull(r.rejuvenation());
      assertEquals(0.1, e.learningRate(epoch + 1));
    }
    HostParams sparse = sparse(ir);
    EpochResult r = e.endOfEpoch(11, sparse, 1);
    assertEquals(286.0 / 1800.0, r.utilization());
    assertNotNull(r.rejuvenation());
    assertEquals(312, e.totalEpochs());
    assertEquals(List.of(162, 237), e.milestones());
    assertEquals(0.1, e.learningRate(161));
    assertEquals(0.1 * 0.1, e.learningRate(162));
    assertEquals(0.1 * 0.1, e.learningRate(236));
    assertEquals(0.1 * 0.1 * 0.1, e.learningRate(237));
    assertEquals(0.0, r.lambda());
    assertEquals(0.0, e.lambda());
    assertEquals(NrEngine.Phase.REJUVENATED, e.phase());
    // mixed training: no more inspection, shifting or λ
    EpochResult after = e.endOfEpoch(12, r.rejuvenation().surgery().applyOnHost(sparse), 1);
    assertTrue(Double.isNaN(after.utilization()));
    assertEquals(312, e.totalEpochs());
  }

  @Test
  void rejuvenationReturnsWidthsLayoutAndReport() {
    NetworkIr ir = Nets.vgg();
    NrEngine e = new NrEngine(ir, schedule(FIXED));
    Rejuvenation rj = e.endOfEpoch(0, sparse(ir), 7).rejuvenation();
    double rate = Math.sqrt(1800.0 / 286.0); // 2.5087
    assertEquals(rate, rj.expandRate());
    assertArrayEquals(new int[] {7, 7, 10, 10}, rj.widths().toArray());
    assertEquals(rj.widths(), e.widths());
    assertSame(rj.layout(), e.layout());
    assertEquals(4, rj.layout().classifierLiveIn());
    assertEquals(0, rj.report().afterEpoch());
    assertTrue(rj.report().toTable().contains("f.c3"));
    assertTrue(rj.report().toJson().contains("\"width_after\": 10"));
  }

  @Test
  void adaptiveLambdaGrowsWhileUtilizationStallsAndIsZeroAfterRejuvenation() { // spec §2.3, §12 B2
    NetworkIr ir = Nets.vgg();
    NrSettings nr = settings(new NrSettings.AdaptiveSparsity(0, 5e-5, 0.01), 0.5, 0, false);
    NrEngine e = new NrEngine(ir, schedule(nr));
    assertEquals(0.0, e.lambda());
    HostParams dense = Nets.params(ir, 40);
    assertEquals(5e-5, e.endOfEpoch(0, dense, 1).lambda()); // u_old 1 - u 1 < 0.01
    assertEquals(1e-4, e.endOfEpoch(1, dense, 1).lambda());
    HostParams someDead = Nets.params(ir, 40);
    Nets.setGamma(someDead, "f.c4", 1f, 1f, 0, 0, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f);
    EpochResult r = e.endOfEpoch(2, someDead, 1); // u drops by 40/1800 > 0.01: no bump
    assertEquals(1e-4, r.lambda());
    assertNull(r.rejuvenation());
    r = e.endOfEpoch(3, sparse(ir), 1); // u = 0.159 <= 0.5: rejuvenates, λ = 0, no bump
    assertNotNull(r.rejuvenation());
    assertEquals(0.0, r.lambda());
  }

  @Test
  void targetAtLeast0999NeverRejuvenatesNorShiftsButKeepsLambda() { // spec §2.2, §12 C1
    NetworkIr ir = Nets.vgg();
    NrEngine e = new NrEngine(ir, schedule(settings(new NrSettings.FixedSparsity(1e-4), 1.0, 0, false)));
    EpochResult r = e.endOfEpoch(0, sparse(ir), 1);
    assertNull(r.rejuvenation());
    assertEquals(286.0 / 1800.0, r.utilization());
    assertEquals(1e-4, e.lambda());
    assertEquals(300, e.totalEpochs());
    assertEquals(List.of(150, 225), e.milestones());
  }

  @Test
  void plainTrainingHasNoLambdaAndTheOriginalSchedule() {
    NetworkIr ir = Nets.vgg();
    NrEngine e = new NrEngine(ir, schedule(null));
    assertEquals(0.0, e.lambda());
    assertFalse(e.l1Applies(ir.convs().get(1)));
    EpochResult r = e.endOfEpoch(0, sparse(ir), 1);
    assertNull(r.rejuvenation());
    assertEquals(300, e.totalEpochs());
    assertEquals(0.1 * 0.1, e.learningRate(150));
  }

  @Test
  void l1NeverAppliesToFixedLayers() { // spec §3, §12 B7
    NetworkIr ir = Nets.resnet();
    NrEngine e = new NrEngine(ir, schedule(FIXED));
    List<IrNode.Conv> convs = ir.convs();
    assertFalse(e.l1Applies(convs.get(0))); // stem
    assertTrue(e.l1Applies(convs.get(1)));
    assertFalse(e.l1Applies(convs.get(2)));
    assertFalse(e.l1Applies(convs.get(5))); // projection
  }

  @Test
  void stateRoundTripsInTheSparsePhase() {
    NetworkIr ir = Nets.vgg();
    NrSettings nr = settings(new NrSettings.AdaptiveSparsity(0, 5e-5, 0.01), 0.25, 0, false);
    NrEngine e = new NrEngine(ir, schedule(nr));
    HostParams p = Nets.params(ir, 40);
    Nets.setGamma(p, "f.c4", 1f, 1f, 0, 0, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f);
    for (int i = 0; i < 3; i++) e.endOfEpoch(i, p, 1);
    NrEngine back = NrEngine.restore(ir, schedule(nr), e.stateJson());
    assertEquals(e.stateJson(), back.stateJson());
    assertEquals(e.lambda(), back.lambda());
    assertEquals(List.of(153, 228), back.milestones());
    // both continue identically
    HostParams s = sparse(ir);
    EpochResult a = e.endOfEpoch(3, s, 9), b = back.endOfEpoch(3, s, 9);
    HostParams pa = a.rejuvenation().surgery().applyOnHost(s);
    HostParams pb = b.rejuvenation().surgery().applyOnHost(s);
    assertEquals(pa.asMap().keySet(), pb.asMap().keySet());
    for (String k : pa.asMap().keySet()) assertArrayEquals(pa.get(k).data(), pb.get(k).data(), k);
  }

  @Test
  void stateRoundTripsAfterRejuvenationWithLayoutAndFullyDeadSet() {
    NetworkIr ir = Nets.resnet();
    NrEngine e = new NrEngine(ir, schedule(settings(new NrSettings.FixedSparsity(1e-4), 0.95, 0, false)));
    HostParams p = Nets.params(ir, 42);
    Nets.setGamma(p, "s3.e", new float[8]);
    Rejuvenation rj = e.endOfEpoch(4, p, 3).rejuvenation();
    assertNotNull(rj);
    NrEngine back = NrEngine.restore(ir, schedule(settings(new NrSettings.FixedSparsity(1e-4), 0.95, 0, false)), e.stateJson());
    assertEquals(rj.layout(), back.layout());
    assertEquals(rj.widths(), back.widths());
    assertEquals(NrEngine.Phase.REJUVENATED, back.phase());
    assertEquals(e.stateJson(), back.stateJson());
    assertTrue(e.stateJson().contains("\"all_dead\":[6,7]"), e.stateJson());
    assertFalse(back.l1Applies(ir.convs().get(6))); // deleted
  }

  @Test
  void compressOnlyStopsAndTheResumeRunsBnRestoreOnce() { // spec §2.3, §12 A2
    NetworkIr ir = Nets.vgg();
    NrSettings nr = settings(new NrSettings.FixedSparsity(1e-4), 0.25, 0.5, true);
    NrEngine e = new NrEngine(ir, schedule(nr));
    HostParams sparse = sparse(ir);
    Rejuvenation rj = e.endOfEpoch(0, sparse, 1).rejuvenation();
    assertFalse(rj.bnRestore()); // compress-only: deferred to the resume
    assertTrue(e.stopAfterRejuvenation());
    HostParams rejuvenated = rj.surgery().applyOnHost(sparse);
    NrEngine resumed = NrEngine.restore(ir, schedule(nr), e.stateJson());
    assertFalse(resumed.stopAfterRejuvenation());
    HostParams restored = resumed.applyPendingBnRestore(rejuvenated);
    HostParams expected =
        BnRestore.apply(ir, rj.widths(), rejuvenated, rj.layout(), 0.5, BnRestoreMode.QUIRK);
    for (String k : expected.asMap().keySet()) {
      assertArrayEquals(expected.get(k).data(), restored.get(k).data(), k);
    }
    assertSame(restored, resumed.applyPendingBnRestore(restored)); // only once
    NrEngine again = NrEngine.restore(ir, schedule(nr), resumed.stateJson());
    assertSame(restored, again.applyPendingBnRestore(restored));
  }

  /**
   * NR state version 1 was written when the runtime joined rejuvenated concatenations in plain
   * input order. Such a DenseNet state is refused once optimiser steps have trained the network
   * that way; it reads right at rejuvenation (the surgery's tensors, laid out survivors first) and
   * wherever no concatenation reorders (a VGG or ResNet, or before rejuvenation).
   */
  @Test
  void versionOneStateIsRefusedOnlyWhereTheConcatenationOrderChangedItsMeaning() {
    NrSettings nr = settings(new NrSettings.FixedSparsity(1e-4), 0.95, 0, false);
    NetworkIr dense = Nets.dense();
    NrEngine e = new NrEngine(dense, schedule(nr));
    String before = e.stateJson();
    assertTrue(before.startsWith("{\"version\":2,"), before);
    Rejuvenation rj = e.endOfEpoch(0, Nets.prunableDense(dense, 26), 1).rejuvenation();
    assertNotNull(rj);
    String v1 = e.stateJson().replace("{\"version\":2,", "{\"version\":1,");
    var ex = assertThrows(IllegalArgumentException.class, () -> NrEngine.restore(dense, schedule(nr), v1, 40));
    assertEquals(
        "NR state: version 1 was written by an nrj that joined concatenation 'd1.cat' in plain input order after"
            + " rejuvenation, and 40 optimiser steps have trained it that way since; this nrj joins survivor channels"
            + " first (spec §5.3), so the trained tensors cannot be read with their meaning; train again from the start",
        ex.getMessage());
    assertThrows(IllegalArgumentException.class, () -> NrEngine.restore(dense, schedule(nr), v1));
    assertEquals(rj.layout(), NrEngine.restore(dense, schedule(nr), v1, 0).layout());
    assertEquals(rj.layout(), NrEngine.restore(dense, schedule(nr), e.stateJson(), 40).layout());
    String v1Before = before.replace("{\"version\":2,", "{\"version\":1,");
    assertEquals(NrEngine.Phase.SPARSE, NrEngine.restore(dense, schedule(nr), v1Before, 40).phase());

    NetworkIr resnet = Nets.resnet();
    NrEngine r = new NrEngine(resnet, schedule(nr));
    Rejuvenation rr = r.endOfEpoch(0, Nets.resnetWithDeadBlock(resnet, 22), 1).rejuvenation();
    assertNotNull(rr);
    String resnetV1 = r.stateJson().replace("{\"version\":2,", "{\"version\":1,");
    assertEquals(rr.layout(), NrEngine.restore(resnet, schedule(nr), resnetV1, 40).layout());
  }

  @Test
  void restoreRejectsAnUnknownVersion() {
    String v3 = new NrEngine(Nets.vgg(), schedule(FIXED)).stateJson().replace("{\"version\":2,", "{\"version\":3,");
    var ex = assertThrows(IllegalArgumentException.class, () -> NrEngine.restore(Nets.vgg(), schedule(FIXED), v3));
    assertEquals("NR state: version 3, this nrj reads 1 to 2", ex.getMessage());
  }

  @Test
  void restoreRejectsStateOfAnotherNetworkWithAClearMessage() {
    NetworkIr ir = Nets.vgg();
    String state = new NrEngine(Nets.resnet(), schedule(FIXED)).stateJson();
    var ex = assertThrows(IllegalArgumentException.class, () -> NrEngine.restore(ir, schedule(FIXED), state));
    assertTrue(ex.getMessage().startsWith("NR state: 8 widths for network"), ex.getMessage());
    var bad = assertThrows(IllegalArgumentException.class, () -> NrEngine.restore(ir, schedule(FIXED), "{\"version\":1"));
    assertTrue(bad.getMessage().startsWith("NR state:"), bad.getMessage());
  }

  @Test
  void engineControlReportsPhaseNamesAndTheRejuvenationTableAndJson() {
    NetworkIr ir = Nets.vgg();
    EngineControl c = new EngineControl(new NrEngine(ir, schedule(FIXED)));
    assertEquals("sparse", c.phase());
    var o = c.endOfEpoch(0, sparse(ir), 1);
    assertEquals("mixed", c.phase());
    assertEquals(c.engine().widths(), o.rejuvenation().widths());
    assertTrue(o.rejuvenation().table().startsWith("rejuvenation after epoch 1: utilization 0.1589"), o.rejuvenation().table());
    assertTrue(o.rejuvenation().json().contains("\"expand_rate\": " + Math.sqrt(1800.0 / 286.0)));
    assertEquals("plain", new EngineControl(new NrEngine(ir, schedule(null))).phase());
  }

  @Test
  void flopsMeasureDrivesTriggerAndExpandRateInMacs() { // spec §2.3 --nr-flops
    NetworkIr ir = Nets.vgg();
    NrSettings nr =
        new NrSettings(
            new NrSettings.FixedSparsity(1e-4), 0.25, Measure.FLOPS, 0.01, 1e-3, ExpandRule.SQRT, 0.5,
            CrossMode.REMOVED, 0, BnRestoreMode.QUIRK, false);
    NrEngine e = new NrEngine(ir, schedule(nr));
    EpochResult r = e.endOfEpoch(0, sparse(ir), 1);
    // c1, c2 at 8x8 (64), c3, c4 at 4x4 (16)
    long live = (3 * 3 * 9 + 3 * 3 * 9) * 64L + (3 * 4 * 9 + 4 * 4) * 16L;
    long all = (3 * 8 * 9 + 8 * 8 * 9) * 64L + (8 * 12 * 9 + 12 * 12) * 16L;
    assertEquals((double) live / all, r.utilization());
    assertEquals(Math.sqrt((double) all / live), r.rejuvenation().expandRate());
    assertEquals(Measure.FLOPS, r.rejuvenation().report().measure());
  }

  @Test
  void rejuvenationJsonIsValidAndHoldsEveryLayer() {
    NetworkIr ir = Nets.resnet();
    HostParams p = Nets.params(ir, 43);
    Nets.setGamma(p, "s3.e", new float[8]);
    NrEngine e = new NrEngine(ir, schedule(settings(new NrSettings.FixedSparsity(1e-4), 0.95, 0, false)));
    RejuvenationReport rep = e.endOfEpoch(2, p, 1).rejuvenation().report();
    var doc = io.nrj.runtime.io.JsonCodec.parse(rep.toJson());
    var layers = doc.get("layers");
    assertEquals(8, layers.size());
    var f = layers.get(7);
    assertEquals("s3.f", f.get("name").textValue());
    assertTrue(f.get("deleted").booleanValue());
    assertEquals(0, f.get("width_after").intValue());
    assertEquals(3, doc.get("after_epoch").intValue());
    assertTrue(rep.toTable().lines().anyMatch(l -> l.startsWith("s3.f") && l.endsWith("deleted (fully dead)")));
  }
}
