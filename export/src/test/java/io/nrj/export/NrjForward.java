package io.nrj.export;

import io.nrj.runtime.cpu.CpuBackend;
import io.nrj.runtime.model.GraphNetwork;

/**
 * What {@code nrj eval} computes for a batch: the runtime's network at the checkpoint's widths and
 * layout with its tensors (as the CLI's CheckpointModel builds it), one eval-mode forward pass on
 * the CPU backend.
 *
 * @param logits (n, K), the sum of both sets after rejuvenation
 * @param survivor (n, K) survivor-set logits after rejuvenation, else null
 * @param fresh (n, K) new-set logits after rejuvenation, else null
 */
record NrjForward(float[] logits, float[] survivor, float[] fresh) {
  static NrjForward of(TrainedNetwork t, float[] images, int n) {
    try (CpuBackend backend = new CpuBackend(2, true);
        GraphNetwork net = new GraphNetwork(backend, t.ir(), 0)) {
      net.replan(t.widths(), t.layout(), t.params());
      backend.upload(net.input(n), images);
      net.forward(n, false);
      boolean mixed = t.layout() != null;
      return new NrjForward(net.logits(), mixed ? net.survivorLogits() : null, mixed ? net.newLogits() : null);
    }
  }
}
