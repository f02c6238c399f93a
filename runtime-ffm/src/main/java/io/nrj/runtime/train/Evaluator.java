package io.nrj.runtime.train;

import io.nrj.runtime.model.TrainableNetwork;
import java.util.Iterator;

/** Evaluation pass: BN in eval mode, loss, top-1 and top-5 (and per-set top-1 when mixed). */
public final class Evaluator {
  private Evaluator() {}

  public static Tally evaluate(TrainableNetwork net, BatchSource data, int batchSize) {
    Tally t = new Tally();
    int k = net.ir().classes();
    for (Iterator<BatchSource.Batch> it = data.batches(batchSize, false, 0, 0); it.hasNext(); ) {
      BatchSource.Batch b = it.next();
      int n = b.size();
      net.backend().upload(net.input(n), b.images());
      net.forward(n, false);
      double loss = net.loss(b.labels());
      float[] fresh = net.newLogits();
      t.add(loss, net.survivorLoss(), net.logits(), fresh == null ? null : net.survivorLogits(), fresh, b.labels(), k);
    }
    return t;
  }
}
