package io.nrj.runtime.nr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.HostTensor;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RejuvenatorTest {
  static final double E = 2.0;

  /** VGG with c1 live {0,2,3,5,7}, c2 live {1,4,5}, c3 live {0..5}, c4 all live. */
  static HostParams sparseVgg(NetworkIr ir) {
    HostParams p = Nets.params(ir, 11);
    Nets.setGamma(p, "f.c1", 0.5f, 0.001f, 0.4f, 0.3f, 0.002f, 0.6f, 0.0001f, 0.2f);
    Nets.setGamma(p, "f.c2", 0.001f, 0.5f, 0.001f, 0.001f, 0.2f, -0.4f, 0.001f, 0.001f);
    Nets.setGamma(p, "f.c3", 0.3f, 0.4f, 0.5f, 0.3f, 0.2f, 0.1f, 0, 0, 0, 0, 0, 0);
    return p;
  }

  static Rejuvenator.Result rejuvenate(NetworkIr ir, HostParams p, double e, long seed) {
    Liveness lv = Liveness.inspect(ir, p, 0.01, 1e-3, Set.of());
    return Rejuvenator.rejuvenate(ir, ir.widths(), p, lv, e, 0.5, CrossMode.REMOVED, new Random(seed));
  }

  static float w(HostParams p, String name, int o, int i, int y, int x) {
    HostTensor t = p.get(name);
    int[] s = t.shape();
    return t.data()[((o * s[1] + i) * s[2] + y) * s[3] + x];
  }

  @Test
  void widthsAreFloorOfLiveTimesExpandRate() {
    NetworkIr ir = Nets.vgg();
    Rejuvenator.Result r = rejuvenate(ir, sparseVgg(ir), 1.9, 1);
    assertArrayEquals(new int[] {9, 5, 11, 22}, r.widths().toArray()); // 5, 3, 6, 12 live
  }

  @Test
  void survivorsArePackedFirstInOriginalOrderWithWeightsAndBnState() {
    NetworkIr ir = Nets.vgg();
    HostParams p = sparseVgg(ir);
    HostParams q = rejuvenate(ir, p, E, 1).params();
    int[] rows = {1, 4, 5};
    int[] cols = {0, 2, 3, 5, 7};
    for (int r = 0; r < 3; r++) {
      for (int c = 0; c < 5; c++) {
        for (int y = 0; y < 3; y++) {
          assertEquals(w(p, "f.c2.conv.weight", rows[r], cols[c], y, 1), w(q, "f.c2.conv.weight", r, c, y, 1));
        }
      }
      for (String t : new String[] {"weight", "bias", "running_mean", "running_var"}) {
        assertEquals(p.get("f.c2.bn." + t).data()[rows[r]], q.get("f.c2.bn." + t).data()[r], t);
      }
    }
    assertEquals(0f, q.get("f.c2.bn.num_batches_tracked").data()[0]);
  }

  @Test
  void newNeuronsGetHeFanOutWithNewWidthAndFreshBn() {
    NetworkIr ir = Nets.vgg();
    HostParams p = sparseVgg(ir);
    Liveness lv = Liveness.inspect(ir, p, 0.01, 1e-3, Set.of());
    var r = Rejuvenator.rejuvenate(ir, ir.widths(), p, lv, 3.0, 0.7, CrossMode.REMOVED, new Random(5));
    HostParams q = r.params();
    // c4: 12 live of 12 -> 36 wide, 1x1, reads c3's 18 = [6 | 12]; new block rows 12..35, cols 6..17
    assertEquals(36, r.widths().get(3));
    double ss = 0;
    int n = 0;
    for (int o = 12; o < 36; o++) {
      for (int i = 6; i < 18; i++) {
        double v = w(q, "f.c4.conv.weight", o, i, 0, 0);
        ss += v * v;
        n++;
      }
    }
    assertEquals(Math.sqrt(2.0 / 36), Math.sqrt(ss / n), 0.1 * Math.sqrt(2.0 / 36));
    for (int o = 12; o < 36; o++) {
      assertEquals(0.7f, q.get("f.c4.bn.weight").data()[o]);
      assertEquals(0f, q.get("f.c4.bn.bias").data()[o]);
      assertEquals(0f, q.get("f.c4.bn.running_mean").data()[o]);
      assertEquals(1f, q.get("f.c4.bn.running_var").data()[o]);
    }
  }

  @Test
  void crossBlocksAreZeroedWhenTheConvIsSplit() {
    NetworkIr ir = Nets.vgg();
    var r = rejuvenate(ir, sparseVgg(ir), E, 2);
    MixedLayout.ConvSplit s = r.layout().convs().get(2); // c3: li 3 of 6 in, lo 6 of 12 out
    assertEquals(new MixedLayout.ConvSplit(3, 6, true, false), s);
    HostParams q = r.params();
    int nonZeroDiagonal = 0;
    for (int o = 0; o < 12; o++) {
      for (int i = 0; i < 6; i++) {
        boolean cross = (o < 6) != (i < 3);
        float v = w(q, "f.c3.conv.weight", o, i, 1, 1);
        if (cross) assertEquals(0f, v, "cross weight " + o + "," + i);
        else if (v != 0f) nonZeroDiagonal++;
      }
    }
    assertEquals(6 * 3 + 6 * 3, nonZeroDiagonal);
  }

  @Test
  void inputLayerKeepsImageChannelsAndIsNeverSplit() {
    NetworkIr ir = Nets.vgg();
    var r = rejuvenate(ir, sparseVgg(ir), E, 3);
    assertArrayEquals(new int[] {10, 3, 3, 3}, r.params().get("f.c1.conv.weight").shape());
    assertEquals(new MixedLayout.ConvSplit(3, 5, false, false), r.layout().convs().get(0));
    assertNotEquals(0f, w(r.params(), "f.c1.conv.weight", 7, 0, 1, 1));
  }

  @Test
  void classifierKeepsLiveColumnsAndBiasAndGetsSmallRandomNewColumns() {
    NetworkIr ir = Nets.resnet();
    HostParams p = Nets.params(ir, 4);
    var r = rejuvenate(ir, p, 1.5, 4);
    HostParams q = r.params();
    assertEquals(16, r.layout().classifierLiveIn());
    assertArrayEquals(new int[] {4, 24, 1, 1}, q.get("fc.weight").shape());
    assertArrayEquals(p.get("fc.bias").data(), q.get("fc.bias").data());
    for (int k = 0; k < 4; k++) {
      for (int c = 0; c < 24; c++) {
        float v = q.get("fc.weight").data()[k * 24 + c];
        if (c < 16) assertEquals(p.get("fc.weight").data()[k * 16 + c], v);
        else assertTrue(v != 0f && Math.abs(v) < 0.06f, "new column " + v);
      }
    }
  }

  @Test
  void layerWithNoNewOutputsStaysUnsplitWithRandomCrossWeights() { // spec §12 B6, reproduced
    NetworkIr ir = Nets.vgg();
    HostParams p = sparseVgg(ir);
    Nets.setGamma(p, "f.c2", 0.001f, 0.5f, 0.001f, 0.001f, 0.2f, 0.001f, 0.001f, 0.001f); // lo = 2
    var r = rejuvenate(ir, p, Math.sqrt(2), 6);
    assertEquals(2, r.widths().get(1)); // floor(2 * 1.414) = 2: no new neurons
    MixedLayout.ConvSplit s = r.layout().convs().get(1);
    assertFalse(s.split());
    assertEquals(2, s.liveOut());
    int newInputs = 0;
    for (int i = s.liveIn(); i < 7; i++) if (w(r.params(), "f.c2.conv.weight", 0, i, 1, 1) != 0f) newInputs++;
    assertEquals(7 - s.liveIn(), newInputs); // c1 is 7 wide: survivors read random new inputs
  }

  @Test
  void fullyDeadLayersAreDeletedAndTheResidualSumTakesTheShortcutWidth() { // spec §12 B1
    NetworkIr ir = Nets.resnet();
    HostParams p = Nets.params(ir, 8);
    Nets.setGamma(p, "s3.e", new float[8]);
    var r = rejuvenate(ir, p, 1.5, 8);
    assertEquals(0, r.widths().get(6));
    assertEquals(0, r.widths().get(7));
    assertTrue(r.layout().convs().get(6).deleted());
    for (String name : r.params().asMap().keySet()) assertFalse(name.startsWith("s3."), name);
    assertEquals(24, ir.shapes(r.widths())[ir.nodes().size() - 2].channels()); // s3.relu
    assertTrue(r.layers().get(7).deleted());
  }

  @Test
  void plainChainWithFullyDeadLayerIsRejected() { // spec §12 B1
    NetworkIr ir = Nets.vgg();
    HostParams p = sparseVgg(ir);
    Nets.setGamma(p, "f.c3", new float[12]);
    var ex = assertThrows(IllegalStateException.class, () -> rejuvenate(ir, p, E, 1));
    assertTrue(ex.getMessage().contains("every path into the classifier 'classifier' is fully dead"), ex.getMessage());
  }

  @Test
  void denseBlockDropsFullyDeadLayerFromTheConcatenation() { // spec §12 B4
    NetworkIr ir = Nets.dense();
    HostParams p = Nets.params(ir, 9);
    Nets.setGamma(p, "stem", 1f, 0, 1f, 1f, 0, 1f);
    Nets.setGamma(p, "d2.d", 1e-4f, 0, 0, 0);
    var r = rejuvenate(ir, p, 2.0, 9);
    // stem 4 live -> 8; b 4 -> 8; cat1 = 16; d deleted; cat2 = 16 = [4 + 4 | 4 + 4]
    assertEquals(0, r.widths().get(4));
    assertArrayEquals(new int[] {14, 16, 1, 1}, r.params().get("t.conv.conv.weight").shape());
    assertEquals(new MixedLayout.ConvSplit(8, 7, true, false), r.layout().convs().get(5));
  }

  @Test
  void sameSeedGivesBitIdenticalTensors() {
    NetworkIr ir = Nets.dense();
    HostParams p = Nets.params(ir, 10);
    var a = rejuvenate(ir, p, 2.0, 42).params();
    var b = rejuvenate(ir, p, 2.0, 42).params();
    assertEquals(a.asMap().keySet(), b.asMap().keySet());
    for (String k : a.asMap().keySet()) assertArrayEquals(a.get(k).data(), b.get(k).data(), k);
  }

  @Test
  void reportListsLiveAndTotalBeforeAndWidthAfter() {
    NetworkIr ir = Nets.vgg();
    var r = rejuvenate(ir, sparseVgg(ir), E, 1);
    assertEquals(new RejuvenationReport.Layer("f.c2", 3, 8, 5, 8, 6, false, true), r.layers().get(1));
    assertEquals(new RejuvenationReport.Classifier("classifier", 12, 12, 24), r.classifier());
  }
}
