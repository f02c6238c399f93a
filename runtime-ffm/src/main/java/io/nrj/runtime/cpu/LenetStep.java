package io.nrj.runtime.cpu;

import io.nrj.runtime.ConvGeom;
import io.nrj.runtime.PoolGeom;
import io.nrj.runtime.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One LeNet-5 training step written out as a generated trainer would run it on a backend:
 * conv5x5 20 - BN - ReLU - maxpool2 - conv5x5 50 - BN - ReLU - maxpool2 - linear 800->500 - ReLU -
 * linear 500->10 - softmax CE, the backward pass, and SGD with momentum on every parameter. Used by
 * {@link CpuKernelBench} for img/s and by tests for determinism. Not a model API: fixed shapes,
 * synthetic data.
 */
final class LenetStep implements AutoCloseable {
  final CpuBackend b;
  final int n;
  final ConvGeom c1, c2;
  final PoolGeom p1, p2;
  final int[] labels;
  private final List<Tensor> all = new ArrayList<>();
  // parameters, their gradients and momentum buffers, in the same order
  final Tensor[] params, grads, moms;
  // x (n,1,28,28); conv1 a1 -> bn n1 (ReLU in place) -> pool q1; conv2 a2 -> n2 -> q2; fc h -> logits
  final Tensor x, a1, n1, q1, a2, n2, q2, h, logits;
  final Tensor dlogits, dh, dhm, dq2, dn2, da2, dq1, dn1, da1;
  final Tensor rm1, rv1, sm1, si1, rm2, rv2, sm2, si2;

  LenetStep(CpuBackend b, int n) {
    this.b = b;
    this.n = n;
    c1 = new ConvGeom(n, 1, 28, 28, 20, 5, 5, 1, 0);
    p1 = new PoolGeom(n, 20, 24, 24, 2, 2, 0);
    c2 = new ConvGeom(n, 20, 12, 12, 50, 5, 5, 1, 0);
    p2 = new PoolGeom(n, 50, 8, 8, 2, 2, 0);
    x = random(1, 1f, n, 1, 28, 28);
    params = new Tensor[] {
      random(2, 0.4f, 20, 1, 5, 5), ones(20), t(20), random(3, 0.1f, 50, 20, 5, 5), ones(50), t(50),
      random(4, 0.07f, 500, 800), t(500), random(5, 0.09f, 10, 500), t(10)
    };
    grads = new Tensor[params.length];
    moms = new Tensor[params.length];
    for (int i = 0; i < params.length; i++) {
      grads[i] = t(params[i].shape());
      moms[i] = t(params[i].shape());
    }
    a1 = t(n, 20, 24, 24);
    n1 = t(n, 20, 24, 24);
    q1 = t(n, 20, 12, 12);
    a2 = t(n, 50, 8, 8);
    n2 = t(n, 50, 8, 8);
    q2 = t(n, 50, 4, 4);
    h = t(n, 500);
    logits = t(n, 10);
    dlogits = t(n, 10);
    dh = t(n, 500);
    dhm = t(n, 500);
    dq2 = t(n, 50, 4, 4);
    dn2 = t(n, 50, 8, 8);
    da2 = t(n, 50, 8, 8);
    dq1 = t(n, 20, 12, 12);
    dn1 = t(n, 20, 24, 24);
    da1 = t(n, 20, 24, 24);
    rm1 = t(20);
    rv1 = ones(20);
    sm1 = t(20);
    si1 = t(20);
    rm2 = t(50);
    rv2 = ones(50);
    sm2 = t(50);
    si2 = t(50);
    labels = new int[n];
    for (int i = 0; i < n; i++) labels[i] = (i * 7) % 10;
  }

  /** Forward, backward and SGD; returns the loss. */
  double run() {
    Tensor w1 = params[0], g1 = params[1], be1 = params[2], w2 = params[3], g2 = params[4], be2 = params[5];
    Tensor fw1 = params[6], fb1 = params[7], fw2 = params[8], fb2 = params[9];
    b.convForward(x, w1, a1, c1);
    b.batchNormForwardTrain(a1, g1, be1, rm1, rv1, n1, sm1, si1, n, 20, 576, 1e-5, 0.1);
    b.reluForward(n1, n1);
    b.maxPoolForward(n1, q1, p1);
    b.convForward(q1, w2, a2, c2);
    b.batchNormForwardTrain(a2, g2, be2, rm2, rv2, n2, sm2, si2, n, 50, 64, 1e-5, 0.1);
    b.reluForward(n2, n2);
    b.maxPoolForward(n2, q2, p2);
    b.linearForward(q2, fw1, fb1, h, n, 800, 500);
    b.reluForward(h, h);
    b.linearForward(h, fw2, fb2, logits, n, 500, 10);
    double loss = b.softmaxCrossEntropy(logits, labels, dlogits, n, 10);
    // backward kernels accumulate: zero every gradient first
    for (Tensor t : grads) b.fill(t, 0);
    for (Tensor t : new Tensor[] {dh, dhm, dq2, dn2, da2, dq1, dn1, da1}) b.fill(t, 0);
    b.linearBackward(h, fw2, dlogits, dh, grads[8], grads[9], n, 500, 10);
    b.reluBackward(h, dh, dhm);
    b.linearBackward(q2, fw1, dhm, dq2, grads[6], grads[7], n, 800, 500);
    b.maxPoolBackward(n2, q2, dq2, dn2, p2);
    b.reluBackward(n2, dn2, da2);
    b.fill(dn2, 0); // reused as the gradient of a2
    b.batchNormBackward(a2, da2, g2, sm2, si2, dn2, grads[4], grads[5], n, 50, 64);
    b.convBackwardFilter(q1, dn2, grads[3], c2);
    b.convBackwardData(dn2, w2, dq1, c2);
    b.maxPoolBackward(n1, q1, dq1, dn1, p1);
    b.reluBackward(n1, dn1, da1);
    b.fill(dn1, 0); // reused as the gradient of a1
    b.batchNormBackward(a1, da1, g1, sm1, si1, dn1, grads[1], grads[2], n, 20, 576);
    b.convBackwardFilter(x, dn1, grads[0], c1);
    for (int i = 0; i < params.length; i++) b.sgdStep(params[i], grads[i], moms[i], 0.01f, 0.9f, 1e-4f, false);
    return loss;
  }

  private Tensor t(int... shape) {
    Tensor t = b.allocate(shape);
    all.add(t);
    return t;
  }

  private Tensor ones(int c) {
    Tensor t = t(c);
    b.fill(t, 1f);
    return t;
  }

  private Tensor random(long seed, float scale, int... shape) {
    Tensor t = t(shape);
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[Math.toIntExact(t.numel())];
    for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * 2 - 1) * scale;
    b.upload(t, v);
    return t;
  }

  @Override
  public void close() {
    for (Tensor t : all) t.close();
  }
}
