package io.nrj.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.HostTensor;
import io.nrj.runtime.cpu.CpuBackend;
import io.nrj.runtime.nr.MixedLayout;
import io.nrj.runtime.nr.MixedLayout.ConvSplit;
import io.nrj.runtime.train.Sgd;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Mixed training after rejuvenation (spec §6): split convs, both cross modes, two logit sets. */
class MixedModeTest {
  static final CpuBackend BACKEND = new CpuBackend(2, false);

  @AfterAll
  static void close() {
    BACKEND.close();
  }

  private static GraphNetwork mixed(CrossMode cross, float crossInit) {
    GraphNetwork net = new GraphNetwork(BACKEND, IrBuilder.chain(), 1);
    net.replan(NetFixtures.MIXED_WIDTHS, NetFixtures.mixedLayout(cross), NetFixtures.mixedParams(5, crossInit));
    return net;
  }

  private static void steps(GraphNetwork net, int steps) {
    try (Sgd sgd = new Sgd(BACKEND, net.parameters(), new ScheduleIr.Sgd(0.1, 0.9, 1e-3))) {
      for (int s = 0; s < steps; s++) {
        NetFixtures.loss(net, NetFixtures.images(5, net, 100 + s), NetFixtures.labels(5, 3, 200 + s));
        net.backward();
        sgd.step(0.1, 0, c -> true);
      }
    }
  }

  @Test
  void removedCrossBlocksStayExactlyZeroWhileDiagonalBlocksTrain() {
    try (GraphNetwork net = mixed(CrossMode.REMOVED, 0f)) {
      HostParams before = net.exportParams();
      steps(net, 4);
      HostParams after = net.exportParams();
      int[][] survivors = {{2, 3}, {3, 4}}; // (li, lo) of c1 and c2
      for (int c = 1; c <= 2; c++) {
        HostTensor w0 = before.get("c" + c + ".conv.weight");
        HostTensor w1 = after.get("c" + c + ".conv.weight");
        int o = w1.shape()[0];
        int in = w1.shape()[1];
        int crossSeen = 0;
        int diagMoved = 0;
        for (int a = 0; a < o; a++) {
          for (int b = 0; b < in; b++) {
            for (int j = 0; j < 9; j++) {
              int idx = (a * in + b) * 9 + j;
              if (NetFixtures.isCross(a, b, survivors[c - 1][0], survivors[c - 1][1])) {
                assertEquals(0f, w1.data()[idx], "c" + c + " cross weight (" + a + "," + b + ")");
                crossSeen++;
              } else if (w1.data()[idx] != w0.data()[idx]) {
                diagMoved++;
              }
            }
          }
        }
        assertTrue(crossSeen > 0 && diagMoved > 0.9 * (o * in * 9 - crossSeen), "c" + c + ": " + diagMoved);
      }
    }
  }

  /** The same network with every split switched off: ordinary convs at the same widths. */
  private static GraphNetwork unsplit() {
    List<ConvSplit> convs = new ArrayList<>();
    for (ConvSplit s : NetFixtures.mixedLayout(CrossMode.REMOVED).convs()) {
      convs.add(new ConvSplit(s.liveIn(), s.liveOut(), false, false));
    }
    GraphNetwork net = new GraphNetwork(BACKEND, IrBuilder.chain(), 1);
    net.replan(NetFixtures.MIXED_WIDTHS, new MixedLayout(convs, 4, CrossMode.REMOVED), NetFixtures.mixedParams(5, 0f));
    return net;
  }

  private static List<float[]> convOutputs(GraphNetwork net) {
    List<float[]> outs = new ArrayList<>();
    for (Layer l : net.layers()) if (l instanceof ConvBnLayer c) outs.add(BACKEND.download(c.output().value()));
    return outs;
  }

  @Test
  void crossAttentionAtStepZeroEqualsTheUnsplitConv() {
    for (boolean train : new boolean[] {true, false}) {
      try (GraphNetwork att = mixed(CrossMode.ATTENTION, 0f);
          GraphNetwork removed = mixed(CrossMode.REMOVED, 0f);
          GraphNetwork plain = unsplit()) {
        float[] x = NetFixtures.images(4, att, 9);
        List<List<float[]>> outs = new ArrayList<>();
        List<float[]> logits = new ArrayList<>();
        for (GraphNetwork net : List.of(att, removed, plain)) {
          BACKEND.upload(net.input(4), x);
          net.forward(4, train);
          outs.add(convOutputs(net));
          logits.add(net.logits());
        }
        for (int i = 0; i < 3; i++) {
          assertArrayEquals(outs.get(2).get(i), outs.get(0).get(i), "attention c" + i + " train=" + train);
          assertArrayEquals(outs.get(2).get(i), outs.get(1).get(i), "removed c" + i + " train=" + train);
        }
        assertArrayEquals(logits.get(2), logits.get(0));
      }
    }
  }

  @Test
  void crossAttentionTrainsTheCrossBlocksAndGatesThem() {
    try (GraphNetwork att = mixed(CrossMode.ATTENTION, 0f)) {
      steps(att, 2);
      float[] w = att.exportParams().get("c2.conv.weight").data();
      // Cross weights start at 0 and get gradient: o=0 (survivor), i=5 (new input).
      assertNotEquals(0f, w[(0 * 9 + 5) * 9 + 4]);
    }
  }

  @Test
  void mixedLossIsTheSumOfTheTwoSetsAndLogitsAreSummed() {
    try (GraphNetwork net = mixed(CrossMode.REMOVED, 0f)) {
      int[] y = NetFixtures.labels(4, 3, 3);
      double loss = NetFixtures.loss(net, NetFixtures.images(4, net, 2), y);
      float[] s = net.survivorLogits();
      float[] n = net.newLogits();
      float[] sum = net.logits();
      double expected = 0;
      for (float[] set : List.of(s, n)) {
        for (int i = 0; i < 4; i++) {
          double max = Double.NEGATIVE_INFINITY;
          for (int k = 0; k < 3; k++) max = Math.max(max, set[i * 3 + k]);
          double z = 0;
          for (int k = 0; k < 3; k++) z += Math.exp(set[i * 3 + k] - max);
          expected += (Math.log(z) + max - set[i * 3 + y[i]]) / 4;
        }
      }
      assertEquals(expected, loss, 1e-5);
      for (int i = 0; i < sum.length; i++) assertEquals(s[i] + n[i], sum[i], 0f);
    }
  }
}
