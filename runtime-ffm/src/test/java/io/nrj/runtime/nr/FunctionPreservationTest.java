package io.nrj.runtime.nr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.dsl.ir.NrSettings.ExpandRule;
import io.nrj.dsl.ir.NrSettings.Measure;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.cpu.CpuBackend;
import io.nrj.runtime.model.GraphNetwork;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Spec §13.5: after rejuvenation, the survivor logits (the classifier on survivor features with new
 * features zeroed) equal the logits of the pruned network, the original with its dead channels
 * removed. Both in train mode (batch statistics) and eval mode (copied running statistics), within
 * 1e-5, with cross connections removed and with cross-attention (the cross weights start at 0, so
 * the gate multiplies 0).
 *
 * <p>Four computations must agree: the pruned network in the double-precision {@link
 * ReferenceForward} (dead channels zeroed after BN, the same function as removing them) and in the
 * real runtime ({@link GraphNetwork} with the dead channels' gamma and beta set to 0, so they output
 * exactly 0); the rejuvenated network in the reference and in the real runtime, rejuvenated in place
 * by the surgery as {@code nrj train} does it ({@code TrainableNetwork.rejuvenate}). The reference
 * alone checks the surgery's weight layout; the runtime is what {@code nrj train} and {@code nrj
 * eval} run (a DenseNet's concatenations must follow that layout, spec §5.3).
 */
class FunctionPreservationTest {
  private static final int N = 4;
  private static final CpuBackend BACKEND = new CpuBackend(2, true);

  @AfterAll
  static void close() {
    BACKEND.close();
  }

  private static void check(NetworkIr ir, HostParams p, boolean train, CrossMode cross, long seed) {
    Liveness lv = Liveness.inspect(ir, p, 0.01, 1e-3, Set.of());
    Utilization u = Utilization.of(ir, lv, Measure.PARAMS);
    ExpandRate e = ExpandRate.of(ExpandRule.SQRT, u.all(), u.live());
    assertTrue(e.value() > 1.2, "the test network should grow, e = " + e.value());
    var r = Rejuvenator.rejuvenate(ir, ir.widths(), p, lv, e.value(), 0.5, cross, new Random(seed));
    // (these nets avoid the B6 case, an unsplit conv with new inputs, which breaks equivalence)
    boolean[][] keep = new boolean[ir.convs().size()][];
    for (int i = 0; i < keep.length; i++) keep[i] = lv.convLive(i);
    float[] image = Nets.floatImages(ir, N, seed);
    double[] x = new double[image.length];
    for (int j = 0; j < x.length; j++) x[j] = image[j];
    double[][] pruned = ReferenceForward.logits(ir, ir.widths(), p, x, N, train, null, keep);
    double[][] survivors = ReferenceForward.logits(ir, r.widths(), r.params(), x, N, train, r.layout(), null);
    double[][] original = ReferenceForward.logits(ir, ir.widths(), p, x, N, train);
    float[] runtimePruned;
    try (GraphNetwork net = new GraphNetwork(BACKEND, ir, 0)) {
      net.importParams(Nets.withDeadChannelsSilenced(ir, p, keep));
      runtimePruned = logits(net, image, train);
      assertNull(net.newLogits(), "the pruned network has one logit set");
    }
    float[] runtimeSurvivors;
    try (GraphNetwork net = new GraphNetwork(BACKEND, ir, 0)) {
      net.importParams(p);
      net.rejuvenate(r.widths(), r.layout(), r.surgery());
      logits(net, image, train);
      runtimeSurvivors = net.survivorLogits();
    }
    double refDiff = 0, runtimeDiff = 0, prunedDiff = 0, maxPruning = 0;
    for (int i = 0; i < N; i++) {
      for (int k = 0; k < ir.classes(); k++) {
        int at = i * ir.classes() + k;
        refDiff = Math.max(refDiff, Math.abs(pruned[i][k] - survivors[i][k]));
        prunedDiff = Math.max(prunedDiff, Math.abs(pruned[i][k] - runtimePruned[at]));
        runtimeDiff = Math.max(runtimeDiff, Math.abs(runtimePruned[at] - runtimeSurvivors[at]));
        maxPruning = Math.max(maxPruning, Math.abs(pruned[i][k] - original[i][k]));
      }
    }
    assertEquals(0.0, prunedDiff, 1e-5, "runtime pruned network against the reference");
    assertEquals(0.0, refDiff, 1e-5, "reference: survivor logits against the pruned network");
    assertEquals(0.0, runtimeDiff, 1e-5, "runtime: survivor logits against the pruned network");
    assertTrue(maxPruning > 1e-3, "pruning must change the logits for the test to mean something");
  }

  /** The logits (N, K) of {@code net} on {@code image}; for a mixed network, their sum. */
  private static float[] logits(GraphNetwork net, float[] image, boolean train) {
    BACKEND.upload(net.input(N), image);
    net.forward(N, train);
    return net.logits();
  }

  @ParameterizedTest(name = "train mode {0}, cross {1}")
  @CsvSource({"true, REMOVED", "false, REMOVED", "true, ATTENTION", "false, ATTENTION"})
  void vggSurvivorLogitsEqualPrunedNetwork(boolean train, CrossMode cross) {
    NetworkIr ir = Nets.vgg();
    HostParams p = RejuvenatorTest.sparseVgg(ir);
    Nets.setGamma(p, "f.c4", 0.3f, 0.001f, 0.4f, 0.5f, 0.002f, 0.2f, 0.6f, 0.001f, 0.3f, 0.1f, 0.2f, 0.7f);
    check(ir, p, train, cross, 21);
  }

  @ParameterizedTest(name = "train mode {0}, cross {1}")
  @CsvSource({"true, REMOVED", "false, REMOVED", "true, ATTENTION", "false, ATTENTION"})
  void residualSurvivorLogitsEqualPrunedNetworkWithProjectionAndDeadBlock(boolean train, CrossMode cross) {
    NetworkIr ir = Nets.resnet();
    check(ir, Nets.resnetWithDeadBlock(ir, 22), train, cross, 23);
  }

  @ParameterizedTest(name = "train mode {0}, cross {1}")
  @CsvSource({"true, REMOVED", "false, REMOVED", "true, ATTENTION", "false, ATTENTION"})
  void residualSurvivorLogitsEqualPrunedNetworkWithLiveBlocks(boolean train, CrossMode cross) {
    NetworkIr ir = Nets.resnet();
    HostParams p = Nets.params(ir, 24);
    Nets.setGamma(p, "s1.a", 0.5f, 0.001f, 0.4f, 0.002f, 0.3f, 0.6f, 0.001f, 0.2f);
    Nets.setGamma(p, "s2.c", 0.5f, 0.001f, 0.001f, 0.3f, 0.001f, 0.6f, 0.001f, 0.001f, 0.2f, 0.001f, 0.001f, 0.001f);
    Nets.setGamma(p, "s3.e", 0.5f, 0.001f, 0.001f, 0.3f, 0.001f, 0.001f, 0.001f, 0.4f);
    check(ir, p, train, cross, 25);
  }

  @ParameterizedTest(name = "train mode {0}, cross {1}")
  @CsvSource({"true, REMOVED", "false, REMOVED", "true, ATTENTION", "false, ATTENTION"})
  void denseBlockSurvivorLogitsEqualPrunedNetworkWithSurvivorFirstConcatenation(boolean train, CrossMode cross) {
    NetworkIr ir = Nets.dense();
    check(ir, Nets.prunableDense(ir, 26), train, cross, 27);
  }
}
