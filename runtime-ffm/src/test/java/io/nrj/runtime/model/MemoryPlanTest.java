package io.nrj.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.ir.NetworkIr;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.cpu.CpuBackend;
import io.nrj.runtime.nr.Nets;
import io.nrj.runtime.profile.OpProfile;
import io.nrj.runtime.profile.ProfilingBackend;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The activation memory plan (in-place ReLU and sums, shared gradient buffers, gradients zeroed by
 * their first writer or overwritten by it) changes no bit: two training steps of a residual, a dense and a VGG-style
 * network give exactly the weights, gradients and logits of the same steps with every activation
 * and gradient in its own memory; and the plan really shares (the residual network holds less).
 */
class MemoryPlanTest {
  @ParameterizedTest
  @ValueSource(strings = {"resnet", "dense", "vgg"})
  void sharingChangesNoBit(String which) {
    Supplier<NetworkIr> ir = switch (which) {
      case "resnet" -> Nets::resnet;
      case "dense" -> Nets::dense;
      default -> Nets::vgg;
    };
    Result shared = train(ir.get(), true), separate = train(ir.get(), false);
    assertArrayEquals(separate.logits, shared.logits, "logits");
    for (String name : separate.grads.asMap().keySet()) {
      assertArrayEquals(separate.grads.get(name).data(), shared.grads.get(name).data(), "gradient of " + name);
      assertArrayEquals(separate.params.get(name).data(), shared.params.get(name).data(), name);
    }
    if (which.equals("resnet")) {
      assertTrue(shared.bytes < separate.bytes, () -> "shared " + shared.bytes + " bytes, separate " + separate.bytes);
    }
  }

  /**
   * A block's last BN adding the shortcut and the ReLU in its second pass (where the shortcut
   * comes first: s1 and s3 of {@link Nets#resnet}, not s2's projection) gives the bits of BN, sum
   * and ReLU as three operations, and runs there and only there.
   */
  @Test
  void theResidualSumInsideTheNormChangesNoBit() {
    OpProfile fusedOps = new OpProfile(), plainOps = new OpProfile();
    boolean before = LayerNetwork.fuseResidualNorms;
    Result fused, plain;
    try {
      fused = train(Nets.resnet(), true, fusedOps);
      LayerNetwork.fuseResidualNorms = false;
      plain = train(Nets.resnet(), true, plainOps);
    } finally {
      LayerNetwork.fuseResidualNorms = before;
    }
    assertArrayEquals(plain.logits, fused.logits, "logits");
    for (String name : plain.grads.asMap().keySet()) {
      assertArrayEquals(plain.grads.get(name).data(), fused.grads.get(name).data(), "gradient of " + name);
      assertArrayEquals(plain.params.get(name).data(), fused.params.get(name).data(), name);
    }
    assertEquals(4, calls(fusedOps, "bn+add+relu forward"), "two blocks, two training steps");
    assertEquals(0, calls(plainOps, "bn+add+relu forward"));
    assertEquals(2, calls(fusedOps, "add+relu") + calls(fusedOps, "add"), "s2's sum, two steps (and the eval forward's ops are not counted)");
  }

  /**
   * The residual stream's gradient in one buffer (MemoryPlan.joinResidualStreams): s1's and s3's
   * sums, whose shortcuts' other readers come before their branches, mask in place instead of
   * copying into the shortcut's buffer (s2's projection comes after its branch, so s2 still
   * copies), with the bits of the copying plan.
   */
  @Test
  void theResidualStreamSharesItsGradientWithTheBitsOfTheCopy() {
    OpProfile streamOps = new OpProfile(), copyOps = new OpProfile();
    boolean before = MemoryPlan.residualStream;
    Result stream, copied;
    try {
      stream = train(Nets.resnet(), true, streamOps);
      MemoryPlan.residualStream = false;
      copied = train(Nets.resnet(), true, copyOps);
    } finally {
      MemoryPlan.residualStream = before;
    }
    assertArrayEquals(copied.logits, stream.logits, "logits");
    for (String name : copied.grads.asMap().keySet()) {
      assertArrayEquals(copied.grads.get(name).data(), stream.grads.get(name).data(), "gradient of " + name);
      assertArrayEquals(copied.params.get(name).data(), stream.params.get(name).data(), name);
    }
    assertEquals(6, calls(copyOps, "relu mask+copy"), "three sums, two steps");
    assertEquals(2, calls(streamOps, "relu mask+copy"), "s2's sum only, two steps");
    assertEquals(4, calls(streamOps, "relu backward (in place)"), "s1's and s3's sums mask in place");
  }

  private static long calls(OpProfile profile, String kind) {
    return profile.rows().stream().filter(r -> r.kind().equals(kind)).mapToLong(OpProfile.Row::calls).sum();
  }

  private record Result(float[] logits, HostParams grads, HostParams params, long bytes) {}

  private static Result train(NetworkIr ir, boolean share) {
    return train(ir, share, null);
  }

  // two training steps; the backend's operations in them are counted into profile when one is given
  private static Result train(NetworkIr ir, boolean share, OpProfile profile) {
    boolean before = MemoryPlan.sharing;
    MemoryPlan.sharing = share;
    try (CpuBackend cpu = new CpuBackend(2, true);
        GraphNetwork net = new GraphNetwork(profile == null ? cpu : new ProfilingBackend(cpu, profile), ir, 7)) {
      if (profile != null) profile.enable(true);
      int n = 6;
      float[] x = Nets.floatImages(ir, n, 3);
      int[] labels = new int[n];
      for (int i = 0; i < n; i++) labels[i] = i % ir.classes();
      HostParams grads = new HostParams();
      for (int step = 0; step < 2; step++) {
        cpu.upload(net.input(n), x);
        net.forward(n, true);
        net.loss(labels);
        net.backward();
        for (Parameter p : net.parameters().all()) {
          if (p.grad() == null) continue; // running statistics
          grads.put(p.name(), new io.nrj.runtime.HostTensor(p.shape().clone(), cpu.download(p.grad())));
          // a plain SGD step so the second step sees new weights
          float[] v = cpu.download(p.value()), g = cpu.download(p.grad());
          for (int i = 0; i < v.length; i++) v[i] -= 0.1f * g[i];
          cpu.upload(p.value(), v);
        }
      }
      if (profile != null) profile.enable(false);
      net.forward(n, false);
      return new Result(net.logits(), grads, net.exportParams(s -> !s.endsWith("num_batches_tracked")), net.deviceBytes());
    } finally {
      MemoryPlan.sharing = before;
    }
  }

  @Test
  void theMemoryPlanPropertyIsShareOrOffAndNothingElse() {
    String before = System.getProperty("nrj.memory.plan");
    try {
      System.clearProperty("nrj.memory.plan");
      assertTrue(MemoryPlan.configuredSharing());
      System.setProperty("nrj.memory.plan", " OFF ");
      assertFalse(MemoryPlan.configuredSharing());
      System.setProperty("nrj.memory.plan", "of");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, MemoryPlan::configuredSharing);
      assertEquals("nrj.memory.plan must be share or off, got 'of'", e.getMessage());
    } finally {
      if (before == null) System.clearProperty("nrj.memory.plan");
      else System.setProperty("nrj.memory.plan", before);
    }
  }
}
