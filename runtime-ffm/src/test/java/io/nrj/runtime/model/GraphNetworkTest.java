package io.nrj.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.HostTensor;
import io.nrj.runtime.cpu.CpuBackend;
import io.nrj.runtime.nr.Liveness;
import io.nrj.runtime.nr.MixedChannels;
import io.nrj.runtime.nr.Nets;
import io.nrj.runtime.nr.Rejuvenator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class GraphNetworkTest {
  static final CpuBackend BACKEND = new CpuBackend(2, false);

  @AfterAll
  static void close() {
    BACKEND.close();
  }

  /**
   * Central differences of the train-mode loss against backward for every parameter of a graph
   * with every node kind (float32 loss, so eps is large and the tolerance loose; kernels are
   * checked more tightly by the backend's own tests, this checks the wiring).
   */
  static void assertGradientsMatchFiniteDifferences(TrainableNetwork net, int n) {
    float[] x = NetFixtures.images(n, net, 7);
    int[] y = NetFixtures.labels(n, net.ir().classes(), 8);
    NetFixtures.loss(net, x, y);
    net.backward();
    ParameterStore store = net.parameters();
    float[] grad = BACKEND.download(store.gradBlock());
    float[] p = BACKEND.download(store.paramBlock());
    double eps = 1e-3;
    int checked = 0;
    int kinks = 0;
    List<String> bad = new java.util.ArrayList<>();
    for (int i = 0; i < p.length; i++) {
      float keep = p[i];
      p[i] = (float) (keep + eps);
      BACKEND.upload(store.paramBlock(), p);
      double up = NetFixtures.loss(net, x, y);
      p[i] = (float) (keep - eps);
      BACKEND.upload(store.paramBlock(), p);
      double down = NetFixtures.loss(net, x, y);
      p[i] = keep;
      BACKEND.upload(store.paramBlock(), p);
      double mid = NetFixtures.loss(net, x, y);
      double fd = (up - down) / (2 * eps);
      double tol = 1e-3 + 1e-2 * Math.abs(fd);
      // A ReLU or max-pool kink inside [p-eps, p+eps] makes the one-sided slopes disagree; such a
      // point says nothing about backward, so it is skipped (and counted).
      if (Math.abs((up - mid) / eps - (mid - down) / eps) > tol) {
        kinks++;
        continue;
      }
      if (Math.abs(fd - grad[i]) > tol) bad.add(String.format("%s fd %.5f bw %.5f", nameAt(store, i), fd, grad[i]));
      checked++;
    }
    BACKEND.upload(store.paramBlock(), p);
    assertEquals(List.of(), bad, "parameters whose gradient disagrees with finite differences");
    assertTrue(checked > 50 && kinks < checked / 10, checked + " checked, " + kinks + " at kinks");
  }

  private static String nameAt(ParameterStore store, long offset) {
    for (Parameter q : store.all()) {
      if (q.grad() != null && offset >= q.offset() && offset < q.offset() + q.value().numel()) {
        return q.name() + "[" + (offset - q.offset()) + "]";
      }
    }
    return "?";
  }

  @Test
  void backwardMatchesFiniteDifferencesOnAGraphWithEveryNodeKind() {
    try (GraphNetwork net = new GraphNetwork(BACKEND, IrBuilder.everyKind(), 3)) {
      assertGradientsMatchFiniteDifferences(net, 4);
    }
  }

  @Test
  void backwardMatchesFiniteDifferencesInCrossAttentionMode() {
    try (GraphNetwork net = new GraphNetwork(BACKEND, IrBuilder.chain(), 3)) {
      // Non-zero cross weights, so the gate's cross path carries gradient.
      net.replan(NetFixtures.MIXED_WIDTHS, NetFixtures.mixedLayout(CrossMode.ATTENTION), NetFixtures.mixedParams(5, 0.3f));
      assertGradientsMatchFiniteDifferences(net, 3);
    }
  }

  /**
   * A DenseNet rejuvenated by the real surgery with cross-attention (every weight trains), whose
   * concatenations join [survivor parts | new parts] and so reorder their inputs' channels: the
   * concatenation's backward must route each run's gradient back to the channels it came from.
   */
  @Test
  void backwardMatchesFiniteDifferencesThroughReorderedConcatenationsAfterRejuvenation() {
    NetworkIr ir = Nets.dense();
    try (GraphNetwork net = new GraphNetwork(BACKEND, ir, 3)) {
      HostParams p = net.exportParams();
      for (IrNode.Conv c : ir.convs()) {
        float[] gamma = p.get(c.name() + ".bn.weight").data();
        for (int ch = 0; ch < gamma.length; ch++) gamma[ch] = ch % 3 == 1 ? 0.001f : 0.6f + 0.1f * ch;
      }
      Liveness lv = Liveness.inspect(ir, p, 0.01, 1e-3, Set.of());
      var r = Rejuvenator.rejuvenate(ir, ir.widths(), p, lv, 1.6, 0.5, CrossMode.ATTENTION, new Random(4));
      MixedChannels mc = MixedChannels.of(ir, r.widths(), r.layout());
      for (IrNode node : ir.nodes()) {
        if (node instanceof IrNode.Concat cat) assertTrue(mc.reorders(cat), cat.name() + " should reorder");
      }
      // The new classifier columns start at N(0, 0.01); larger ones give the new channels gradients
      // well above the finite differences' tolerance.
      HostParams q = r.params();
      Random rng = new Random(5);
      float[] fc = q.get("classifier.weight").data();
      for (int j = 0; j < fc.length; j++) fc[j] = (float) rng.nextGaussian();
      net.replan(r.widths(), r.layout(), q);
      assertGradientsMatchFiniteDifferences(net, 3);
    }
  }

  @Test
  void exportsTensorsWithTheCheckpointNamesAndLayouts() {
    try (GraphNetwork net = new GraphNetwork(BACKEND, IrBuilder.chain(), 1)) {
      HostParams p = net.exportParams();
      List<String> names = List.copyOf(p.asMap().keySet());
      List<String> expected = new java.util.ArrayList<>();
      for (String c : List.of("c0", "c1", "c2")) {
        for (String t : List.of("conv.weight", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked")) {
          expected.add(c + "." + t);
        }
      }
      expected.add("fc.weight");
      expected.add("fc.bias");
      assertEquals(expected, names);
      assertArrayEquals(new int[] {6, 4, 3, 3}, p.get("c1.conv.weight").shape());
      assertArrayEquals(new int[] {3, 5, 1, 1}, p.get("fc.weight").shape());
      assertArrayEquals(new int[0], p.get("c0.bn.num_batches_tracked").shape());
      // Spec §8.1 VGG init: gamma 0.5, beta 0, running var 1, bias 0.
      assertEquals(0.5f, p.get("c2.bn.weight").data()[3]);
      assertEquals(1f, p.get("c2.bn.running_var").data()[0]);
      assertEquals(0f, p.get("fc.bias").data()[1]);
    }
  }

  @Test
  void initialisesConvWeightsHeNormalFanOut() {
    // Build a conv 16 -> 64, k3 and check the sample std against sqrt(2 / (9 * 64)).
    IrBuilder b = new IrBuilder("he", new io.nrj.dsl.ir.Shape(16, 4, 4));
    int c = b.conv(-1, 64, 3, 1, 1, true, false);
    try (GraphNetwork net = new GraphNetwork(BACKEND, b.classifier(c, 2, io.nrj.dsl.ir.InitScheme.DEFAULT), 11)) {
      float[] w = net.exportParams().get("c0.conv.weight").data();
      double sq = 0;
      for (float v : w) sq += v * v;
      double std = Math.sqrt(sq / w.length);
      assertEquals(Math.sqrt(2.0 / (9 * 64)), std, 0.03 * std);
      float[] fc = net.exportParams().get("fc.weight").data();
      double s2 = 0;
      for (float v : fc) s2 += v * v;
      assertEquals(0.01, Math.sqrt(s2 / fc.length), 0.004);
    }
  }

  @Test
  void rejectsParametersOfTheWrongShapeNamingTheTensor() {
    try (GraphNetwork net = new GraphNetwork(BACKEND, IrBuilder.chain(), 1)) {
      HostParams p = net.exportParams();
      p.put("c1.bn.bias", HostTensor.zeros(7));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.importParams(p));
      assertEquals("tensor 'c1.bn.bias' has shape [7], network chain needs [6]", e.getMessage());
      HostParams q = net.exportParams().remove("fc.bias");
      e = assertThrows(IllegalArgumentException.class, () -> net.importParams(q));
      assertEquals("no tensor 'fc.bias' for network chain at widths [4, 6, 5]", e.getMessage());
    }
  }

  @Test
  void evalModeUsesRunningStatisticsAndSmallerBatchesReuseThePlan() {
    try (GraphNetwork net = new GraphNetwork(BACKEND, IrBuilder.chain(), 1)) {
      float[] x = NetFixtures.images(6, net, 2);
      BACKEND.upload(net.input(6), x);
      net.forward(6, false);
      float[] all = net.logits();
      // The first two samples alone give the same eval-mode logits (no batch statistics).
      BACKEND.upload(net.input(2), java.util.Arrays.copyOf(x, x.length / 3));
      net.forward(2, false);
      float[] two = net.logits();
      for (int i = 0; i < two.length; i++) assertEquals(all[i], two[i], 1e-6);
    }
  }
}
