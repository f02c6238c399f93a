package io.nrj.runtime.nr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrSettings.Measure;
import io.nrj.runtime.HostParams;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UtilizationTest {
  private static Liveness sparseVgg(HostParams p, NetworkIr ir) {
    Nets.setGamma(p, "f.c1", 1f, 0, 1f, 0, 1f, 0, 1f, 0); // 4 of 8 live
    Nets.setGamma(p, "f.c2", 1f, 1f, 0, 0, 0, 0, 0, 0); // 2 of 8
    return Liveness.inspect(ir, p, 0.01, 1e-3, Set.of());
  }

  @Test
  void parametersCountLiveInputsTimesLiveOutputsTimesKernelArea() {
    NetworkIr ir = Nets.vgg();
    HostParams p = Nets.params(ir, 1);
    Utilization u = Utilization.of(ir, sparseVgg(p, ir), Measure.PARAMS);
    long live = 3 * 4 * 9 + 4 * 2 * 9 + 2 * 12 * 9 + 12 * 12;
    long all = 3 * 8 * 9 + 8 * 8 * 9 + 8 * 12 * 9 + 12 * 12;
    assertEquals(live, u.live());
    assertEquals(all, u.all());
    assertEquals((double) live / all, u.value());
  }

  @Test
  void flopsMultiplyEachConvByItsOutputArea() {
    NetworkIr ir = Nets.vgg();
    HostParams p = Nets.params(ir, 1);
    Utilization u = Utilization.of(ir, sparseVgg(p, ir), Measure.FLOPS);
    // c1, c2 at 8x8; c3, c4 at 4x4 after the pool
    long live = (3 * 4 * 9 + 4 * 2 * 9) * 64L + (2 * 12 * 9 + 12 * 12) * 16L;
    long all = (3 * 8 * 9 + 8 * 8 * 9) * 64L + (8 * 12 * 9 + 12 * 12) * 16L;
    assertEquals(live, u.live());
    assertEquals(all, u.all());
  }

  @Test
  void fullyDeadLayerCountsZeroLiveAndItsFlopsInTheDenominator() { // spec §12 B5 recommendation
    NetworkIr ir = Nets.resnet();
    HostParams p = Nets.params(ir, 2);
    Nets.setGamma(p, "s3.e", new float[8]);
    Liveness lv = Liveness.inspect(ir, p, 0.01, 1e-3, Set.of());
    Utilization flops = Utilization.of(ir, lv, Measure.FLOPS);
    Utilization params = Utilization.of(ir, lv, Measure.PARAMS);
    assertEquals(0, flops.live(6));
    assertEquals(16 * 8 * 1 * 16L, flops.all(6)); // s3.e at 4x4
    assertEquals(8 * 16 * 9 * 16L, flops.all(7));
    assertEquals(16 * 8, params.all(6));
    assertEquals(0, params.live(7));
  }
}
