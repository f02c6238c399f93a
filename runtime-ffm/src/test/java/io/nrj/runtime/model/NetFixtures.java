package io.nrj.runtime.model;

import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.dsl.ir.Widths;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.HostTensor;
import io.nrj.runtime.nr.MixedLayout;
import io.nrj.runtime.nr.MixedLayout.ConvSplit;
import java.util.List;
import java.util.Random;

/** Shared test inputs: random batches, loss evaluation and a hand-made rejuvenated chain. */
final class NetFixtures {
  private NetFixtures() {}

  static float[] images(int n, TrainableNetwork net, long seed) {
    Random r = new Random(seed);
    float[] x = new float[(int) (n * net.ir().input().size())];
    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
    return x;
  }

  static int[] labels(int n, int classes, long seed) {
    Random r = new Random(seed);
    int[] y = new int[n];
    for (int i = 0; i < n; i++) y[i] = r.nextInt(classes);
    return y;
  }

  static double loss(TrainableNetwork net, float[] x, int[] y) {
    net.backend().upload(net.input(y.length), x);
    net.forward(y.length, true);
    return net.loss(y);
  }

  /**
   * The chain net (convs 4, 6, 5 wide) rejuvenated by hand to widths 6, 9, 8 with survivors
   * (li, lo) = (1, 2), (2, 3), (3, 4) and 4 classifier survivor inputs: c0 is the input layer
   * (unsplit), c1 and c2 split.
   */
  static final Widths MIXED_WIDTHS = new Widths(new int[] {6, 9, 8});

  static MixedLayout mixedLayout(CrossMode cross) {
    return new MixedLayout(
        List.of(new ConvSplit(1, 2, false, false), new ConvSplit(2, 3, true, false), new ConvSplit(3, 4, true, false)),
        4, cross);
  }

  /** Random parameters at MIXED_WIDTHS with both cross blocks of c1 and c2 set to {@code cross}. */
  static HostParams mixedParams(long seed, float cross) {
    HostParams p = widthsParams(seed);
    Random r = new Random(seed + 1);
    setCross(p.get("c1.conv.weight"), 2, 3, cross, r);
    setCross(p.get("c2.conv.weight"), 3, 4, cross, r);
    return p;
  }

  /** Random parameters (moderate scales, gamma in [0.5, 1.5)) at MIXED_WIDTHS. */
  private static HostParams widthsParams(long seed) {
    {
      HostParams p = new HostParams();
      Random r = new Random(seed);
      int[] w = MIXED_WIDTHS.toArray();
      int[] in = {1, w[0], w[1]};
      for (int i = 0; i < 3; i++) {
        float[] k = new float[w[i] * in[i] * 9];
        for (int j = 0; j < k.length; j++) k[j] = (float) (r.nextGaussian() * 0.3);
        float[] gamma = new float[w[i]];
        float[] beta = new float[w[i]];
        float[] var = new float[w[i]];
        for (int j = 0; j < w[i]; j++) {
          gamma[j] = (float) (0.5 + r.nextDouble());
          beta[j] = (float) (0.1 * r.nextGaussian());
          var[j] = 1f;
        }
        p.put("c" + i + ".conv.weight", new HostTensor(new int[] {w[i], in[i], 3, 3}, k));
        p.put("c" + i + ".bn.weight", new HostTensor(new int[] {w[i]}, gamma));
        p.put("c" + i + ".bn.bias", new HostTensor(new int[] {w[i]}, beta));
        p.put("c" + i + ".bn.running_mean", HostTensor.zeros(w[i]));
        p.put("c" + i + ".bn.running_var", new HostTensor(new int[] {w[i]}, var));
      }
      float[] fc = new float[3 * w[2]];
      for (int j = 0; j < fc.length; j++) fc[j] = (float) (r.nextGaussian() * 0.3);
      p.put("fc.weight", new HostTensor(new int[] {3, w[2], 1, 1}, fc));
      p.put("fc.bias", new HostTensor(new int[] {3}, new float[] {0.1f, -0.2f, 0.05f}));
      return p;
    }
  }

  /** Sets the two cross blocks (o < lo, i >= li) and (o >= lo, i < li) of an (O, I, k, k) weight. */
  static void setCross(HostTensor w, int li, int lo, float value, Random r) {
    int o = w.shape()[0];
    int in = w.shape()[1];
    int kk = w.shape()[2] * w.shape()[3];
    for (int a = 0; a < o; a++) {
      for (int b = 0; b < in; b++) {
        if ((a < lo) != (b < li)) {
          for (int j = 0; j < kk; j++) w.data()[(a * in + b) * kk + j] = value == 0 ? 0f : (float) (value * r.nextGaussian());
        }
      }
    }
  }

  /** True when (o, i) of weight (O, I, k, k) is in a cross block. */
  static boolean isCross(int o, int i, int li, int lo) {
    return (o < lo) != (i < li);
  }
}
