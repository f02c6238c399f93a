package io.nrj.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.runtime.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Deterministic training depends on the CPU backend giving the same bits every run: LeNet-5
 * training steps (every kernel a trainer uses) must produce bit-identical parameters run to run and
 * for every thread count, since all parallel work is statically split and no element's summation
 * order depends on the split.
 */
class DeterminismTest {
  static float[][] train(int threads, boolean vector, int batch, int steps, double[] losses) {
    try (CpuBackend b = new CpuBackend(threads, vector); LenetStep step = new LenetStep(b, batch)) {
      for (int i = 0; i < steps; i++) {
        double loss = step.run();
        if (losses != null) losses[i] = loss;
      }
      float[][] out = new float[step.params.length + 2][];
      for (int i = 0; i < step.params.length; i++) out[i] = b.download(step.params[i]);
      out[step.params.length] = b.download(step.rv2);
      out[step.params.length + 1] = b.download(step.logits);
      return out;
    }
  }

  @Test
  void lenetStepsAreBitIdenticalRunToRunAndAcrossThreadCounts() {
    // small batches: the Vector API runs interpreted (very slowly) until C2 compiles it
    float[][] ref = train(2, true, 2, 2, null);
    for (int threads : new int[] {1, 3}) {
      float[][] got = train(threads, true, 2, 2, null);
      for (int i = 0; i < ref.length; i++) assertArrayEquals(ref[i], got[i], "tensor " + i + " with " + threads + " threads");
    }
  }

  @Test
  void lenetLossFallsOnARepeatedBatch() {
    double[] losses = new double[8];
    train(2, false, 4, losses.length, losses);
    assertTrue(losses[losses.length - 1] < 0.5 * losses[0], () -> "loss went from " + losses[0] + " to " + losses[losses.length - 1]);
  }

  @Test
  void viewsShareMemoryAndClosingAViewKeepsTheParent() {
    try (CpuBackend b = new CpuBackend(1, false)) {
      Tensor block = b.allocate(10);
      Tensor v = block.view(4, 2, 3);
      b.fill(v, 2f);
      v.close();
      float[] all = b.download(block);
      assertArrayEquals(new float[] {0, 0, 0, 0, 2, 2, 2, 2, 2, 2}, all);
      block.close();
      org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> b.download(v));
    }
  }
}
