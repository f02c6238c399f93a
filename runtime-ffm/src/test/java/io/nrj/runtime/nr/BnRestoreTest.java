package io.nrj.runtime.nr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrSettings.BnRestoreMode;
import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.runtime.HostParams;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Spec §7 and §13.8: neural rescaling, in the authors' (quirk) and the corrected mode. */
class BnRestoreTest {
  private static final int N = 4;

  /** Spec §13.8 toy: input conv 3->4 (gamma 0.2), conv 4->4 (gamma 0.8), classifier 3. */
  static NetworkIr toy() {
    IrBuilder b = new IrBuilder(3, 6);
    int c1 = b.conv("c1", IrNode.IMAGE, 4, 3, 1, true, true, false);
    int c2 = b.conv("c2", c1, 4, 3);
    return b.classifier("fc", c2, 3);
  }

  static HostParams toyParams(NetworkIr ir) {
    HostParams p = Nets.params(ir, 31);
    Nets.setGamma(p, "c1", 0.2f, 0.2f, 0.2f, 0.2f);
    Nets.setGamma(p, "c2", 0.8f, 0.8f, 0.8f, 0.8f);
    return p;
  }

  static double maxDiff(double[] a, double[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
  }

  @Test
  void secondConvTrainModeOutputIsUnchangedUpToBnEps() { // spec §13.8
    NetworkIr ir = toy();
    HostParams p = toyParams(ir);
    HostParams q = BnRestore.apply(ir, ir.widths(), p, null, 0.5, BnRestoreMode.QUIRK);
    double[] x = Nets.images(ir, N, 1);
    var before = ReferenceForward.run(ir, ir.widths(), p, x, N, true, null, null, false).acts()[1];
    var after = ReferenceForward.run(ir, ir.widths(), q, x, N, true, null, null, false).acts()[1];
    assertEquals(0.0, maxDiff(before.d(), after.d()), 1e-4);
    // and the rescaling really happened: c1's gamma went 0.2 -> 0.5, c2's weights x 0.4
    assertEquals(0.5f, q.get("c1.bn.weight").data()[0]);
    assertEquals(p.get("c2.conv.weight").data()[5] * (0.2f / 0.5f), q.get("c2.conv.weight").data()[5]);
    assertEquals(p.get("c1.conv.weight").data()[5] * (1f / 0.5f), q.get("c1.conv.weight").data()[5]);
  }

  @Test
  void quirkHalvesLogitsMinusBiasAfterNonFixedLayers() { // spec §13.8, §12 B3
    NetworkIr ir = toy();
    HostParams p = toyParams(ir);
    HostParams q = BnRestore.apply(ir, ir.widths(), p, null, 0.5, BnRestoreMode.QUIRK);
    double[] x = Nets.images(ir, N, 2);
    double[][] z0 = ReferenceForward.logits(ir, ir.widths(), p, x, N, true);
    double[][] z1 = ReferenceForward.logits(ir, ir.widths(), q, x, N, true);
    float[] bias = p.get("fc.bias").data();
    for (int i = 0; i < N; i++) {
      for (int k = 0; k < 3; k++) {
        assertEquals(0.5 * (z0[i][k] - bias[k]), z1[i][k] - bias[k], 1e-4);
      }
    }
  }

  @Test
  void correctedModeKeepsLogitsAndLeavesTheFirstLayerAlone() { // spec §12 B3
    NetworkIr ir = toy();
    HostParams p = toyParams(ir);
    HostParams q = BnRestore.apply(ir, ir.widths(), p, null, 0.5, BnRestoreMode.CORRECTED);
    assertArrayEquals(p.get("c1.conv.weight").data(), q.get("c1.conv.weight").data());
    double[] x = Nets.images(ir, N, 3);
    for (boolean train : new boolean[] {true, false}) {
      double[][] z0 = ReferenceForward.logits(ir, ir.widths(), p, x, N, train);
      double[][] z1 = ReferenceForward.logits(ir, ir.widths(), q, x, N, train);
      for (int i = 0; i < N; i++) assertEquals(0.0, maxDiff(z0[i], z1[i]), 1e-5);
    }
  }

  @Test
  void residualLogitsAreUnchangedUpToBnEpsBecauseTheClassifierFollowsAFixedLayer() { // spec §13.8
    NetworkIr ir = Nets.resnet();
    HostParams p = Nets.params(ir, 32);
    Nets.setGamma(p, "s1.a", 0.2f, 0.1f, 0.3f, 0.05f, 0.9f, 0.4f, 0.2f, 0.3f);
    Nets.setGamma(p, "s3.e", 0.2f, 0.1f, 0.3f, 0.05f, 0.9f, 0.4f, 0.2f, 0.3f);
    HostParams q = BnRestore.apply(ir, ir.widths(), p, null, 0.5, BnRestoreMode.QUIRK);
    double[] x = Nets.images(ir, N, 4);
    double[][] z0 = ReferenceForward.logits(ir, ir.widths(), p, x, N, true);
    double[][] z1 = ReferenceForward.logits(ir, ir.widths(), q, x, N, true);
    for (int i = 0; i < N; i++) assertEquals(0.0, maxDiff(z0[i], z1[i]), 1e-4);
    assertArrayEquals(p.get("fc.weight").data(), q.get("fc.weight").data());
    assertArrayEquals(p.get("s1.b.bn.weight").data(), q.get("s1.b.bn.weight").data()); // fixed
  }

  @Test
  void zeroGammaIsLeftUntouchedAndItsConsumersUnchanged() { // spec §12 B3 guard
    NetworkIr ir = toy();
    HostParams p = toyParams(ir);
    Nets.setGamma(p, "c1", 0.2f, 0f, -0.1f, 0.7f);
    for (BnRestoreMode mode : BnRestoreMode.values()) {
      HostParams q = BnRestore.apply(ir, ir.widths(), p, null, 0.5, mode);
      float[] g = q.get("c1.bn.weight").data();
      float[] beta0 = p.get("c1.bn.bias").data();
      float[] beta = q.get("c1.bn.bias").data();
      assertArrayEquals(new float[] {0.5f, 0f, -0.5f, 0.7f}, g, mode.name());
      assertEquals(beta0[1], beta[1]);
      assertEquals(beta0[2] / (0.1f / 0.5f), beta[2]);
      assertEquals(beta0[3], beta[3]); // |gamma| >= t: g = t, beta / 1
      // c2 columns: channel 1 (guarded) and 3 (large) x t/t = 1; channel 2 x 0.1/0.5
      float[] w0 = p.get("c2.conv.weight").data(), w1 = q.get("c2.conv.weight").data();
      for (int o = 0; o < 4; o++) {
        int at = (o * 4 + 1) * 9;
        assertEquals(w0[at], w1[at]);
        assertEquals(w0[at + 18], w1[at + 18]);
        assertEquals(w0[at + 9] * (0.1f / 0.5f), w1[at + 9]);
      }
      assertTrue(Float.isFinite(beta[1]));
    }
  }

  @Test
  void correctedRestoreOnRejuvenatedDenseNetKeepsEveryLogitWithMixedConcatenationOrder() {
    NetworkIr ir = Nets.dense();
    HostParams p = Nets.params(ir, 33);
    Nets.setGamma(p, "stem", 0.5f, 0.001f, 0.2f, 0.3f, 0.001f, 0.6f);
    Nets.setGamma(p, "d1.b", 0.001f, 0.1f, 0.3f, 0.001f);
    Nets.setGamma(p, "d2.d", 0.4f, 0.001f, 0.05f, 0.3f);
    Liveness lv = Liveness.inspect(ir, p, 0.01, 1e-3, Set.of());
    // new neurons at gamma 0.3 < t so they are rescaled too and any misplaced factor shows
    var r = Rejuvenator.rejuvenate(ir, ir.widths(), p, lv, 2.0, 0.3, CrossMode.REMOVED, new Random(3));
    HostParams q = BnRestore.apply(ir, r.widths(), r.params(), r.layout(), 0.5, BnRestoreMode.CORRECTED);
    double[] x = Nets.images(ir, N, 5);
    for (boolean train : new boolean[] {true, false}) {
      double[][] z0 = ReferenceForward.fullLogits(ir, r.widths(), r.params(), x, N, train, r.layout());
      double[][] z1 = ReferenceForward.fullLogits(ir, r.widths(), q, x, N, train, r.layout());
      for (int i = 0; i < N; i++) assertEquals(0.0, maxDiff(z0[i], z1[i]), 1e-5);
    }
  }
}
