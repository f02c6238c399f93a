package io.nrj.runtime.nr;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.HostTensor;
import java.util.Random;

/** The small hand-built networks of the NR tests, and random tensors for them. */
public final class Nets {
  private Nets() {}

  /** VGG-style chain: c1 (input) 3->8, c2 8->8, maxpool 2, c3 8->12, c4 12->12 (1x1), classifier 5. */
  public static NetworkIr vgg() {
    IrBuilder b = new IrBuilder(3, 8);
    int x = b.conv("f.c1", IrNode.IMAGE, 8, 3, 1, true, true, false);
    x = b.conv("f.c2", x, 8, 3);
    x = b.maxPool("f.pool", x, 2);
    x = b.conv("f.c3", x, 12, 3);
    x = b.conv("f.c4", x, 12, 1);
    return b.classifier("classifier", x, 5);
  }

  /**
   * Residual network: stem (input, fixed) 3->8; block1 a 8->8, b 8->8 (fixed) + identity; block2 c
   * 8->12 stride 2, d 12->16 (fixed) + projection 8->16 stride 2 (fixed); block3 e 16->8, f 8->16
   * (fixed) + identity; classifier 4. Convs: stem 0, a 1, b 2, c 3, d 4, proj 5, e 6, f 7.
   */
  public static NetworkIr resnet() {
    IrBuilder b = new IrBuilder(3, 8);
    int stem = b.conv("stem", IrNode.IMAGE, 8, 3, 1, true, true, true);
    int a = b.conv("s1.a", stem, 8, 3);
    int bb = b.conv("s1.b", a, 8, 3, 1, false, false, true);
    int r1 = b.relu("s1.relu", b.add("s1.add", bb, stem));
    int c = b.conv("s2.c", r1, 12, 3, 2, true, false, false);
    int d = b.conv("s2.d", c, 16, 3, 1, false, false, true);
    int proj = b.conv("s2.proj", r1, 16, 1, 2, false, false, true);
    int r2 = b.relu("s2.relu", b.add("s2.add", d, proj));
    int e = b.conv("s3.e", r2, 8, 1);
    int f = b.conv("s3.f", e, 16, 3, 1, false, false, true);
    int r3 = b.relu("s3.relu", b.add("s3.add", f, r2));
    return b.classifier("fc", r3, 4);
  }

  /**
   * Dense block: stem (input) 3->6; layer1 a 6->8 (1x1), b 8->4, cat1 = [stem | b] (10); layer2 c
   * 10->8 (1x1), d 8->4, cat2 = [cat1 | d] (14); transition t 14->7 (1x1), avgpool 2; classifier 3.
   * Convs: stem 0, a 1, b 2, c 3, d 4, t 5.
   */
  public static NetworkIr dense() {
    IrBuilder b = new IrBuilder(3, 8);
    int stem = b.conv("stem", IrNode.IMAGE, 6, 3, 1, true, true, false);
    int a = b.conv("d1.a", stem, 8, 1);
    int bb = b.conv("d1.b", a, 4, 3);
    int cat1 = b.concat("d1.cat", stem, bb);
    int c = b.conv("d2.c", cat1, 8, 1);
    int d = b.conv("d2.d", c, 4, 3);
    int cat2 = b.concat("d2.cat", cat1, d);
    int t = b.conv("t.conv", cat2, 7, 1);
    int p = b.avgPool("t.pool", t, 2);
    return b.classifier("classifier", p, 3);
  }

  /** Random tensors: He conv weights, gamma 0.5, small random beta and running stats, classifier. */
  static HostParams params(NetworkIr ir, long seed) {
    Random r = new Random(seed);
    HostParams p = new HostParams();
    for (IrNode n : ir.nodes()) {
      if (n instanceof IrNode.Conv c) {
        int o = c.outChannels(), i = c.inChannels(), k = c.kernel();
        p.put(c.name() + ".conv.weight", gauss(r, Math.sqrt(2.0 / (k * k * o)), o, i, k, k));
        p.put(c.name() + ".bn.weight", fill(o, 0.5f));
        p.put(c.name() + ".bn.bias", gauss(r, 0.1, o));
        p.put(c.name() + ".bn.running_mean", gauss(r, 0.2, o));
        HostTensor var = gauss(r, 0.3, o);
        for (int j = 0; j < o; j++) var.data()[j] = 0.5f + Math.abs(var.data()[j]);
        p.put(c.name() + ".bn.running_var", var);
        p.put(c.name() + ".bn.num_batches_tracked", new HostTensor(new int[0], new float[] {7}));
      } else if (n instanceof IrNode.Classifier cls) {
        p.put(cls.name() + ".weight", gauss(r, 0.3, cls.classes(), cls.in().channels(), 1, 1));
        p.put(cls.name() + ".bias", gauss(r, 0.1, cls.classes()));
      }
    }
    return p;
  }

  static HostTensor gauss(Random r, double std, int... shape) {
    HostTensor t = HostTensor.zeros(shape);
    for (int j = 0; j < t.numel(); j++) t.data()[j] = (float) (r.nextGaussian() * std);
    return t;
  }

  static HostTensor fill(int n, float v) {
    HostTensor t = HostTensor.zeros(n);
    java.util.Arrays.fill(t.data(), v);
    return t;
  }

  /** {@link #resnet()} tensors with prunable channels in s1.a and s2.c, and s3.e fully dead. */
  static HostParams resnetWithDeadBlock(NetworkIr ir, long seed) {
    HostParams p = params(ir, seed);
    setGamma(p, "s1.a", 0.5f, 0.001f, 0.4f, 0.002f, 0.3f, 0.6f, 0.001f, 0.2f);
    setGamma(p, "s2.c", 0.5f, 0.001f, 0.001f, 0.3f, 0.001f, 0.6f, 0.001f, 0.001f, 0.2f, 0.001f, 0.001f, 0.001f);
    setGamma(p, "s3.e", 1e-4f, 0, 0, 0, 2e-4f, 0, 0, 0); // fully dead: block 3 is its shortcut
    return p;
  }

  /** {@link #dense()} tensors with prunable channels in every layer. */
  static HostParams prunableDense(NetworkIr ir, long seed) {
    HostParams p = params(ir, seed);
    setGamma(p, "stem", 0.5f, 0.001f, 0.4f, 0.3f, 0.001f, 0.6f);
    setGamma(p, "d1.a", 0.5f, 0.001f, 0.4f, 0.001f, 0.3f, 0.001f, 0.001f, 0.6f);
    setGamma(p, "d1.b", 0.001f, 0.5f, 0.3f, 0.001f);
    setGamma(p, "d2.c", 0.5f, 0.001f, 0.4f, 0.001f, 0.3f, 0.001f, 0.2f, 0.6f);
    setGamma(p, "d2.d", 0.4f, 0.001f, 0.5f, 0.3f);
    setGamma(p, "t.conv", 0.4f, 0.001f, 0.5f, 0.001f, 0.001f, 0.3f, 0.2f);
    return p;
  }

  static void setGamma(HostParams p, String conv, float... gamma) {
    p.put(conv + ".bn.weight", new HostTensor(new int[] {gamma.length}, gamma.clone()));
  }

  /**
   * {@code p} with the BN gamma and beta of every channel that {@code keep} drops set to 0: those
   * channels then output exactly 0 (before and after ReLU) in train and eval mode, so the network
   * computes the pruned network's function at its declared widths.
   */
  static HostParams withDeadChannelsSilenced(NetworkIr ir, HostParams p, boolean[][] keep) {
    HostParams out = p.copy();
    for (IrNode.Conv c : ir.convs()) {
      float[] gamma = out.get(c.name() + ".bn.weight").data();
      float[] beta = out.get(c.name() + ".bn.bias").data();
      for (int ch = 0; ch < gamma.length; ch++) {
        if (!keep[c.convIndex()][ch]) {
          gamma[ch] = 0f;
          beta[ch] = 0f;
        }
      }
    }
    return out;
  }

  /** {@link #images} as float32, the precision the runtime takes. */
  static float[] floatImages(NetworkIr ir, int n, long seed) {
    double[] x = images(ir, n, seed);
    float[] f = new float[x.length];
    for (int j = 0; j < x.length; j++) f[j] = (float) x[j];
    return f;
  }

  /** Random images (N, C, H, W) for the IR's input shape. */
  static double[] images(NetworkIr ir, int n, long seed) {
    Random r = new Random(seed);
    double[] x = new double[n * (int) ir.input().size()];
    for (int j = 0; j < x.length; j++) x[j] = r.nextGaussian();
    return x;
  }
}
