package io.nrj.runtime.nr;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.Widths;
import io.nrj.runtime.HostParams;

/**
 * A slow, double-precision forward pass over (IR, tensors) for the NR tests: conv + BN (train mode:
 * biased batch statistics; eval mode: running statistics; eps 1e-5) + optional ReLU, pools, sums,
 * concatenations, and the classifier as global average pooling then (K x C) plus bias.
 *
 * <p>With a {@link MixedLayout}, concatenations order channels [survivor parts | new parts] and the
 * logits are the survivor set: the classifier on the survivor features with the new ones zeroed.
 * With a {@code keep} mask per conv, the channels a mask drops are zeroed after BN, which is the
 * same function as the network with those channels removed. Deleted convs (width 0) output nothing.
 */
final class ReferenceForward {
  private static final double EPS = 1e-5;

  /** A batch of activations (N, C, H, W), flat. */
  record Act(int n, int c, int h, int w, double[] d) {
    double at(int i, int ch, int y, int x) {
      return d[((i * c + ch) * h + y) * w + x];
    }
  }

  private ReferenceForward() {}

  static double[][] logits(NetworkIr ir, Widths widths, HostParams p, double[] images, int n, boolean train) {
    return logits(ir, widths, p, images, n, train, null, null);
  }

  /** Logits on every feature of a rejuvenated network (channel order from {@code layout}). */
  static double[][] fullLogits(
      NetworkIr ir, Widths widths, HostParams p, double[] images, int n, boolean train, MixedLayout layout) {
    return run(ir, widths, p, images, n, train, layout, null, false).logits();
  }

  /** Every node's output (by node id; null for the classifier) and the logits. */
  record Run(Act[] acts, double[][] logits) {}

  /** Logits (N, K); see the class comment for {@code layout} and {@code keep} (both nullable). */
  static double[][] logits(
      NetworkIr ir, Widths widths, HostParams p, double[] images, int n, boolean train,
      MixedLayout layout, boolean[][] keep) {
    return run(ir, widths, p, images, n, train, layout, keep, true).logits();
  }

  static Run run(
      NetworkIr ir, Widths widths, HostParams p, double[] images, int n, boolean train,
      MixedLayout layout, boolean[][] keep, boolean survivorsOnly) {
    Act image = new Act(n, ir.input().channels(), ir.input().height(), ir.input().width(), images);
    Act[] out = new Act[ir.nodes().size()];
    MixedChannels mc = layout == null ? null : MixedChannels.of(ir, widths, layout);
    double[][] logits = null;
    for (IrNode node : ir.nodes()) {
      Act r =
          switch (node) {
            case IrNode.Conv c -> {
              if (widths.get(c.convIndex()) == 0) yield new Act(n, 0, c.out().height(), c.out().width(), new double[0]);
              Act a = conv(in(out, image, c.inputs().getFirst()), c, p);
              bn(a, c.name(), p, train);
              if (keep != null) mask(a, keep[c.convIndex()]);
              if (c.relu()) relu(a);
              yield a;
            }
            case IrNode.Relu rl -> {
              Act a = copy(in(out, image, rl.inputs().getFirst()));
              relu(a);
              yield a;
            }
            case IrNode.MaxPool m -> pool(in(out, image, m.inputs().getFirst()), m.kernel(), m.stride(), true);
            case IrNode.AvgPool m -> pool(in(out, image, m.inputs().getFirst()), m.kernel(), m.stride(), false);
            case IrNode.Add a -> {
              Act sum = null;
              for (int i : a.inputs()) {
                Act x = in(out, image, i);
                if (x.c() == 0) continue;
                if (sum == null) sum = copy(x);
                else for (int j = 0; j < sum.d().length; j++) sum.d()[j] += x.d()[j];
              }
              yield sum;
            }
            case IrNode.Concat cat -> concat(cat, out, image, mc);
            case IrNode.Classifier cls -> {
              logits = classifier(in(out, image, cls.inputs().getFirst()), cls, p, survivorsOnly ? layout : null);
              yield null;
            }
          };
      out[node.id()] = r;
    }
    return new Run(out, logits);
  }

  private static Act in(Act[] out, Act image, int id) {
    return id == IrNode.IMAGE ? image : out[id];
  }

  private static Act copy(Act a) {
    return new Act(a.n(), a.c(), a.h(), a.w(), a.d().clone());
  }

  // x is (N, Cin, H, W); w is (O, Cin, k, k); out (N, O, Ho, Wo).
  private static Act conv(Act x, IrNode.Conv c, HostParams p) {
    float[] w = p.get(c.name() + ".conv.weight").data();
    int[] ws = p.get(c.name() + ".conv.weight").shape();
    int o = ws[0], ci = ws[1], k = ws[2];
    if (ci != x.c()) throw new AssertionError(c.name() + ": weight has " + ci + " inputs, got " + x.c());
    int s = c.stride(), pad = c.pad();
    int ho = (x.h() + 2 * pad - k) / s + 1, wo = (x.w() + 2 * pad - k) / s + 1;
    double[] y = new double[x.n() * o * ho * wo];
    for (int i = 0; i < x.n(); i++)
      for (int oc = 0; oc < o; oc++)
        for (int yy = 0; yy < ho; yy++)
          for (int xx = 0; xx < wo; xx++) {
            double acc = 0;
            for (int ic = 0; ic < ci; ic++)
              for (int ky = 0; ky < k; ky++)
                for (int kx = 0; kx < k; kx++) {
                  int iy = yy * s - pad + ky, ix = xx * s - pad + kx;
                  if (iy < 0 || ix < 0 || iy >= x.h() || ix >= x.w()) continue;
                  acc += w[((oc * ci + ic) * k + ky) * k + kx] * x.at(i, ic, iy, ix);
                }
            y[((i * o + oc) * ho + yy) * wo + xx] = acc;
          }
    return new Act(x.n(), o, ho, wo, y);
  }

  private static void bn(Act a, String name, HostParams p, boolean train) {
    float[] g = p.get(name + ".bn.weight").data();
    float[] b = p.get(name + ".bn.bias").data();
    float[] rm = p.get(name + ".bn.running_mean").data();
    float[] rv = p.get(name + ".bn.running_var").data();
    int hw = a.h() * a.w();
    for (int ch = 0; ch < a.c(); ch++) {
      double mean = rm[ch], var = rv[ch];
      if (train) {
        double s = 0, ss = 0;
        for (int i = 0; i < a.n(); i++)
          for (int q = 0; q < hw; q++) s += a.d()[(i * a.c() + ch) * hw + q];
        mean = s / (a.n() * hw);
        for (int i = 0; i < a.n(); i++)
          for (int q = 0; q < hw; q++) {
            double dv = a.d()[(i * a.c() + ch) * hw + q] - mean;
            ss += dv * dv;
          }
        var = ss / (a.n() * hw);
      }
      double scale = g[ch] / Math.sqrt(var + EPS);
      for (int i = 0; i < a.n(); i++)
        for (int q = 0; q < hw; q++) {
          int j = (i * a.c() + ch) * hw + q;
          a.d()[j] = (a.d()[j] - mean) * scale + b[ch];
        }
    }
  }

  private static void mask(Act a, boolean[] keep) {
    int hw = a.h() * a.w();
    for (int i = 0; i < a.n(); i++)
      for (int ch = 0; ch < a.c(); ch++)
        if (!keep[ch]) java.util.Arrays.fill(a.d(), (i * a.c() + ch) * hw, (i * a.c() + ch + 1) * hw, 0);
  }

  private static void relu(Act a) {
    for (int j = 0; j < a.d().length; j++) a.d()[j] = Math.max(0, a.d()[j]);
  }

  private static Act pool(Act x, int k, int s, boolean max) {
    int ho = (x.h() - k) / s + 1, wo = (x.w() - k) / s + 1;
    double[] y = new double[x.n() * x.c() * ho * wo];
    for (int i = 0; i < x.n(); i++)
      for (int ch = 0; ch < x.c(); ch++)
        for (int yy = 0; yy < ho; yy++)
          for (int xx = 0; xx < wo; xx++) {
            double acc = max ? Double.NEGATIVE_INFINITY : 0;
            for (int ky = 0; ky < k; ky++)
              for (int kx = 0; kx < k; kx++) {
                double v = x.at(i, ch, yy * s + ky, xx * s + kx);
                acc = max ? Math.max(acc, v) : acc + v / (k * k);
              }
            y[((i * x.c() + ch) * ho + yy) * wo + xx] = acc;
          }
    return new Act(x.n(), x.c(), ho, wo, y);
  }

  private static Act concat(IrNode.Concat cat, Act[] out, Act image, MixedChannels mc) {
    int c = 0;
    for (int i : cat.inputs()) c += in(out, image, i).c();
    Act first = in(out, image, cat.inputs().getFirst());
    int n = first.n(), hw = first.h() * first.w();
    double[] d = new double[n * c * hw];
    int at = 0;
    // Without a layout: plain input order. With one: survivor parts first, then new parts.
    for (int pass = 0; pass < (mc == null ? 1 : 2); pass++) {
      for (int id : cat.inputs()) {
        Act x = in(out, image, id);
        int s = mc == null || id == IrNode.IMAGE ? x.c() : mc.survivors(id);
        int from = pass == 0 ? 0 : s, to = mc == null ? x.c() : pass == 0 ? s : x.c();
        for (int ch = from; ch < to; ch++, at++)
          for (int i = 0; i < n; i++)
            System.arraycopy(x.d(), (i * x.c() + ch) * hw, d, (i * c + at) * hw, hw);
      }
    }
    return new Act(n, c, first.h(), first.w(), d);
  }

  private static double[][] classifier(Act x, IrNode.Classifier cls, HostParams p, MixedLayout layout) {
    float[] w = p.get(cls.name() + ".weight").data();
    float[] b = p.get(cls.name() + ".bias").data();
    int k = cls.classes(), hw = x.h() * x.w();
    int used = layout == null ? x.c() : layout.classifierLiveIn(); // survivor features only
    double[][] z = new double[x.n()][k];
    for (int i = 0; i < x.n(); i++)
      for (int q = 0; q < k; q++) {
        double acc = b[q];
        for (int ch = 0; ch < used; ch++) {
          double mean = 0;
          for (int j = 0; j < hw; j++) mean += x.d()[(i * x.c() + ch) * hw + j];
          acc += w[q * x.c() + ch] * (mean / hw);
        }
        z[i][q] = acc;
      }
    return z;
  }
}
