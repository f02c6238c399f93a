package io.nrj.runtime.nr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.dsl.ir.NrSettings.Measure;
import io.nrj.dsl.ir.NrSettings.ExpandRule;
import io.nrj.runtime.HostParams;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Spec §13.5: after rejuvenation (cross connections removed), the survivor logits, the classifier
 * on survivor features with new features zeroed, equal the logits of the pruned network: the
 * original with its dead channels removed (here: zeroed after BN, the same function). Both in train
 * mode (batch statistics) and eval mode (copied running statistics), within 1e-5.
 */
class FunctionPreservationTest {
  private static final int N = 4;

  private static void check(NetworkIr ir, HostParams p, boolean train, long seed) {
    Liveness lv = Liveness.inspect(ir, p, 0.01, 1e-3, Set.of());
    Utilization u = Utilization.of(ir, lv, Measure.PARAMS);
    ExpandRate e = ExpandRate.of(ExpandRule.SQRT, u.all(), u.live());
    assertTrue(e.value() > 1.2, "the test network should grow, e = " + e.value());
    var r = Rejuvenator.rejuvenate(ir, ir.widths(), p, lv, e.value(), 0.5, CrossMode.REMOVED, new Random(seed));
    // (these nets avoid the B6 case, an unsplit conv with new inputs, which breaks equivalence)
    boolean[][] keep = new boolean[ir.convs().size()][];
    for (int i = 0; i < keep.length; i++) keep[i] = lv.convLive(i);
    double[] x = Nets.images(ir, N, seed);
    double[][] pruned = ReferenceForward.logits(ir, ir.widths(), p, x, N, train, null, keep);
    double[][] survivors = ReferenceForward.logits(ir, r.widths(), r.params(), x, N, train, r.layout(), null);
    double[][] original = ReferenceForward.logits(ir, ir.widths(), p, x, N, train);
    double maxDiff = 0, maxPruning = 0;
    for (int i = 0; i < N; i++) {
      for (int k = 0; k < ir.classes(); k++) {
        maxDiff = Math.max(maxDiff, Math.abs(pruned[i][k] - survivors[i][k]));
        maxPruning = Math.max(maxPruning, Math.abs(pruned[i][k] - original[i][k]));
      }
    }
    assertEquals(0.0, maxDiff, 1e-5);
    assertTrue(maxPruning > 1e-3, "pruning must change the logits for the test to mean something");
  }

  @ParameterizedTest(name = "train mode {0}")
  @ValueSource(booleans = {true, false})
  void vggSurvivorLogitsEqualPrunedNetwork(boolean train) {
    NetworkIr ir = Nets.vgg();
    HostParams p = RejuvenatorTest.sparseVgg(ir);
    Nets.setGamma(p, "f.c4", 0.3f, 0.001f, 0.4f, 0.5f, 0.002f, 0.2f, 0.6f, 0.001f, 0.3f, 0.1f, 0.2f, 0.7f);
    check(ir, p, train, 21);
  }

  @ParameterizedTest(name = "train mode {0}")
  @ValueSource(booleans = {true, false})
  void residualSurvivorLogitsEqualPrunedNetworkWithProjectionAndDeadBlock(boolean train) {
    NetworkIr ir = Nets.resnet();
    check(ir, Nets.resnetWithDeadBlock(ir, 22), train, 23);
  }

  @ParameterizedTest(name = "train mode {0}")
  @ValueSource(booleans = {true, false})
  void residualSurvivorLogitsEqualPrunedNetworkWithLiveBlocks(boolean train) {
    NetworkIr ir = Nets.resnet();
    HostParams p = Nets.params(ir, 24);
    Nets.setGamma(p, "s1.a", 0.5f, 0.001f, 0.4f, 0.002f, 0.3f, 0.6f, 0.001f, 0.2f);
    Nets.setGamma(p, "s2.c", 0.5f, 0.001f, 0.001f, 0.3f, 0.001f, 0.6f, 0.001f, 0.001f, 0.2f, 0.001f, 0.001f, 0.001f);
    Nets.setGamma(p, "s3.e", 0.5f, 0.001f, 0.001f, 0.3f, 0.001f, 0.001f, 0.001f, 0.4f);
    check(ir, p, train, 25);
  }

  @ParameterizedTest(name = "train mode {0}")
  @ValueSource(booleans = {true, false})
  void denseBlockSurvivorLogitsEqualPrunedNetworkWithSurvivorFirstConcatenation(boolean train) {
    NetworkIr ir = Nets.dense();
    check(ir, Nets.prunableDense(ir, 26), train, 27);
  }
}
