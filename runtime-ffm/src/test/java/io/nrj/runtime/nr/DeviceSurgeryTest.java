package io.nrj.runtime.nr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.Tensor;
import io.nrj.runtime.cpu.CpuBackend;
import io.nrj.runtime.model.GraphNetwork;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Rejuvenation on the device (issue 6: "survivors copied on the device"): {@code
 * LayerNetwork.rejuvenate} with the engine's {@link Surgery} gives bit for bit the tensors of the
 * heap surgery ({@link Rejuvenator#rejuvenate}), for a VGG-style, a residual net with a fully dead
 * block and a dense net, although only the BN scales ever left the device.
 */
class DeviceSurgeryTest {
  private static final CpuBackend CPU = new CpuBackend(1, false);

  @AfterAll
  static void close() {
    CPU.close();
  }

  private static void check(NetworkIr ir, HostParams p, long seed) {
    try (GraphNetwork net = new GraphNetwork(CPU, ir, 1)) {
      net.importParams(p);
      // What a GPU run sends to the engine: the BN scales only.
      HostParams scales = net.exportParams(name -> name.endsWith(".bn.weight"));
      assertTrue(scales.asMap().keySet().stream().allMatch(n -> n.endsWith(".bn.weight")));
      Liveness lv = Liveness.inspect(ir, scales, 0.01, 1e-3, Set.of());
      Utilization u = Utilization.of(ir, lv, io.nrj.dsl.ir.NrSettings.Measure.PARAMS);
      double e = ExpandRate.of(io.nrj.dsl.ir.NrSettings.ExpandRule.SQRT, u.all(), u.live()).value();
      var onHeap = Rejuvenator.rejuvenate(ir, ir.widths(), p, lv, e, 0.5, CrossMode.REMOVED, new Random(seed));
      var planned = Rejuvenator.plan(ir, ir.widths(), lv, e, 0.5, CrossMode.REMOVED, new Random(seed));
      assertEquals(onHeap.widths(), planned.widths());
      net.rejuvenate(planned.widths(), planned.layout(), planned.surgery());
      assertEquals(onHeap.widths(), net.widths());
      HostParams onDevice = net.exportParams();
      assertEquals(List.copyOf(onHeap.params().asMap().keySet()), List.copyOf(onDevice.asMap().keySet()));
      for (var t : onHeap.params().asMap().entrySet()) {
        assertArrayEquals(t.getValue().shape(), onDevice.get(t.getKey()).shape(), t.getKey());
        assertArrayEquals(t.getValue().data(), onDevice.get(t.getKey()).data(), t.getKey());
      }
    }
  }

  @Test
  void vggSurvivorsGatheredOnTheDeviceMatchTheHeapSurgery() {
    NetworkIr ir = Nets.vgg();
    HostParams p = Nets.params(ir, 20);
    Nets.setGamma(p, "f.c4", 0.3f, 0.001f, 0.4f, 0.5f, 0.002f, 0.2f, 0.6f, 0.001f, 0.3f, 0.1f, 0.2f, 0.7f);
    Nets.setGamma(p, "f.c2", 0.3f, 0.001f, 0.4f, 0.5f, 0.002f, 0.2f, 0.6f, 0.001f);
    check(ir, p, 3);
  }

  @Test
  void residualNetWithAFullyDeadBlockMatchesTheHeapSurgery() {
    NetworkIr ir = Nets.resnet();
    check(ir, Nets.resnetWithDeadBlock(ir, 22), 4); // s3.e is deleted: its tensors disappear
  }

  @Test
  void denseNetMatchesTheHeapSurgery() {
    NetworkIr ir = Nets.dense();
    check(ir, Nets.prunableDense(ir, 26), 5);
  }

  @Test
  void gatherBlockCopiesTheSelectedRowsAndColumnsAndKeepsTheRest() {
    // src (3, 4, 2) -> dst (2, 3, 2): rows {2, 0}, cols {3, 1}
    float[] src = new float[24];
    for (int i = 0; i < src.length; i++) src[i] = i;
    try (Tensor s = CPU.allocate(3, 4, 2); Tensor d = CPU.allocate(2, 3, 2)) {
      CPU.upload(s, src);
      CPU.fill(d, -1f);
      CPU.gatherBlock(s, 4, d, 3, 2, new int[] {2, 0}, new int[] {3, 1});
      assertArrayEquals(new float[] {22, 23, 18, 19, -1, -1, 6, 7, 2, 3, -1, -1}, CPU.download(d));
      var e = assertThrows(IllegalArgumentException.class,
          () -> CPU.gatherBlock(s, 4, d, 3, 2, new int[] {3}, new int[] {0}));
      assertEquals("gatherBlock: row 3 of 3", e.getMessage());
      e = assertThrows(IllegalArgumentException.class,
          () -> CPU.gatherBlock(s, 4, d, 3, 2, new int[] {0}, new int[] {4}));
      assertEquals("gatherBlock: column 4 of 4", e.getMessage());
    }
  }
}
