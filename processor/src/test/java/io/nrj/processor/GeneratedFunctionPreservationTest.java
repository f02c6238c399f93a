package io.nrj.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.dsl.ir.NrSettings.ExpandRule;
import io.nrj.dsl.ir.NrSettings.Measure;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.cpu.CpuBackend;
import io.nrj.runtime.model.GraphNetwork;
import io.nrj.runtime.model.TrainableNetwork;
import io.nrj.runtime.nr.ExpandRate;
import io.nrj.runtime.nr.Liveness;
import io.nrj.runtime.nr.MixedLayout;
import io.nrj.runtime.nr.Rejuvenator;
import io.nrj.runtime.nr.Utilization;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Spec §13.5 through a generated trainer (compiled in memory, the {@code nrj train} path) for a
 * DenseNet written with {@code dense} blocks: rejuvenated in place by the surgery as the training
 * loop does it, its survivor logits equal the pruned network's logits (the original, run by {@link
 * GraphNetwork} with its dead channels' gamma and beta set to 0, which makes them output exactly
 * 0), within 1e-5, in train and eval mode, with cross connections removed and with cross-attention
 * (cross weights start at 0). Its logit sets also equal {@link GraphNetwork}'s after the same
 * rejuvenation, bit for bit.
 */
class GeneratedFunctionPreservationTest {
  private static final int N = 3;
  private static final CpuBackend BACKEND = new CpuBackend(1, true);

  @AfterAll
  static void close() {
    BACKEND.close();
  }

  @ParameterizedTest(name = "train mode {0}, cross {1}")
  @CsvSource({"true, REMOVED", "false, REMOVED", "true, ATTENTION", "false, ATTENTION"})
  void denseSurvivorLogitsEqualPrunedNetwork(boolean train, CrossMode cross) throws Exception {
    NetworkIr ir = GeneratedVsGraphNetworkTest.fromSpec("tiny_dense.nr", "tiny_dense");
    HostParams p = sparse(ir);
    Liveness lv = Liveness.inspect(ir, p, 0.01, 1e-3, Set.of());
    Utilization u = Utilization.of(ir, lv, Measure.PARAMS);
    double e = ExpandRate.of(ExpandRule.SQRT, u.all(), u.live()).value();
    Rejuvenator.Result r = Rejuvenator.plan(ir, ir.widths(), lv, e, 0.5, cross, new Random(3));
    for (IrNode.Conv c : ir.convs()) {
      MixedLayout.ConvSplit s = r.layout().convs().get(c.convIndex());
      // every non-input conv split: no §12 B6 layer, where equivalence does not hold
      assertTrue(c.isInput() || s.split(), c.name() + " is not split at e = " + e + ": " + s);
    }
    float[] x = new float[N * (int) ir.input().size()];
    Random rng = new Random(4);
    for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();

    float[] pruned;
    try (GraphNetwork net = new GraphNetwork(BACKEND, ir, 0)) {
      net.importParams(silenced(ir, p, lv));
      pruned = run(net, x, train).logits();
    }
    try (TrainableNetwork gen = GeneratedVsGraphNetworkTest.generated(BACKEND, ir, 0);
        GraphNetwork graph = new GraphNetwork(BACKEND, ir, 0)) {
      for (TrainableNetwork net : new TrainableNetwork[] {gen, graph}) {
        net.importParams(p);
        net.rejuvenate(r.widths(), r.layout(), r.surgery());
        run(net, x, train);
      }
      float[] survivors = gen.survivorLogits();
      double maxDiff = 0;
      for (int i = 0; i < pruned.length; i++) maxDiff = Math.max(maxDiff, Math.abs(pruned[i] - survivors[i]));
      assertEquals(0.0, maxDiff, 1e-5, "generated trainer: survivor logits against the pruned network");
      assertArrayEquals(graph.survivorLogits(), survivors, "survivor logits, generated against GraphNetwork");
      assertArrayEquals(graph.newLogits(), gen.newLogits(), "new logits, generated against GraphNetwork");
    }
  }

  private static TrainableNetwork run(TrainableNetwork net, float[] x, boolean train) {
    BACKEND.upload(net.input(N), x);
    net.forward(N, train);
    return net;
  }

  /**
   * The network's initial tensors with random running statistics and, in every conv, every third
   * channel (shifted per conv) nearly dead: |gamma| below 1 % of the layer's largest.
   */
  private static HostParams sparse(NetworkIr ir) {
    HostParams p;
    try (GraphNetwork g = new GraphNetwork(BACKEND, ir, 2)) {
      p = g.exportParams();
    }
    Random rng = new Random(5);
    for (IrNode.Conv c : ir.convs()) {
      float[] gamma = p.get(c.name() + ".bn.weight").data();
      float[] beta = p.get(c.name() + ".bn.bias").data();
      float[] mean = p.get(c.name() + ".bn.running_mean").data();
      float[] var = p.get(c.name() + ".bn.running_var").data();
      for (int ch = 0; ch < gamma.length; ch++) {
        boolean dead = (ch + c.convIndex()) % 3 == 0;
        gamma[ch] = dead ? 0.001f : 0.3f + 0.5f * rng.nextFloat();
        beta[ch] = 0.1f * (float) rng.nextGaussian();
        mean[ch] = 0.2f * (float) rng.nextGaussian();
        var[ch] = 0.5f + rng.nextFloat();
      }
    }
    return p;
  }

  /** {@code p} with gamma and beta 0 on every dead channel: the pruned network's function. */
  private static HostParams silenced(NetworkIr ir, HostParams p, Liveness lv) {
    HostParams out = p.copy();
    for (IrNode.Conv c : ir.convs()) {
      boolean[] live = lv.convLive(c.convIndex());
      for (int ch = 0; ch < live.length; ch++) {
        if (!live[ch]) {
          out.get(c.name() + ".bn.weight").data()[ch] = 0f;
          out.get(c.name() + ".bn.bias").data()[ch] = 0f;
        }
      }
    }
    return out;
  }
}
