package io.nrj.runtime.nr;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrSettings.BnRestoreMode;
import io.nrj.dsl.ir.Shape;
import io.nrj.dsl.ir.Widths;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.HostTensor;
import java.util.Arrays;

/**
 * Neural rescaling, {@code bn_restore(t)} (spec §7): pushes every small BN scale of a non-fixed
 * conv up to magnitude t and compensates in the consumers' weights, in forward order. A factor
 * vector f per channel flows through the graph: a rescaled channel carries its clipped |gamma| g,
 * and a consumer multiplies its weight column c by f[c] / t, cancelling the t / g growth of that
 * channel after BN and ReLU.
 *
 * <p>Modes (spec §12 B3):
 *
 * <ul>
 *   <li>{@link BnRestoreMode#QUIRK} reproduces the authors' code: the image and fixed layers carry
 *       f = 1, so the first layer and every layer fed by a fixed layer get their weights times 1/t
 *       (harmless in train mode, BN renormalises); the classifier multiplies by f, not f/t, so
 *       logits minus bias shrink by t after non-fixed layers.
 *   <li>{@link BnRestoreMode#CORRECTED}: unscaled channels (the image, fixed layers) carry f = t, so
 *       their consumers are untouched, and the classifier multiplies by f/t.
 * </ul>
 *
 * In both modes a channel with |gamma| &lt; 1e-12 is left untouched and carries f = t (the authors'
 * code divides by zero). A residual sum passes its first live input's factors (branch 0 normally);
 * a concatenation concatenates its inputs' factors in its channel order ([survivor parts | new
 * parts] after rejuvenation, plain input order before, see {@link MixedChannels#concatOrder}).
 * Arithmetic is float32 as in PyTorch. Running statistics are not touched.
 */
public final class BnRestore {
  static final float GUARD = 1e-12f;

  private BnRestore() {}

  /**
   * Returns rescaled copies of the tensors; {@code params} is not modified.
   *
   * @param layout the network's mixed layout, or null for a network that was never rejuvenated
   */
  public static HostParams apply(
      NetworkIr ir,
      Widths widths,
      HostParams params,
      MixedLayout layout,
      double target,
      BnRestoreMode mode) {
    if (!(target > 0)) throw new IllegalArgumentException("bn_restore target must be > 0, got " + target);
    float t = (float) target;
    float unscaled = mode == BnRestoreMode.QUIRK ? 1f : t;
    HostParams p = params.copy();
    Shape[] shapes = ir.shapes(widths);
    MixedChannels mc = MixedChannels.of(ir, widths, layout);
    float[][] f = new float[ir.nodes().size()][];
    float[] image = filled(ir.input().channels(), unscaled);
    for (IrNode node : ir.nodes()) {
      f[node.id()] =
          switch (node) {
            case IrNode.Conv c ->
                widths.get(c.convIndex()) == 0
                    ? new float[0] // deleted (fully dead) layer
                    : conv(c, p, in(f, image, c.inputs().getFirst()), t, unscaled);
            case IrNode.Relu r -> in(f, image, r.inputs().getFirst());
            case IrNode.MaxPool m -> in(f, image, m.inputs().getFirst());
            case IrNode.AvgPool m -> in(f, image, m.inputs().getFirst());
            case IrNode.Add a -> {
              float[] r = new float[0];
              for (int i : a.inputs()) {
                if (in(f, image, i).length > 0) {
                  r = in(f, image, i);
                  break;
                }
              }
              yield r;
            }
            case IrNode.Concat cat -> concat(cat, f, image, mc, shapes[cat.id()].channels());
            case IrNode.Classifier cls -> {
              float[] fin = in(f, image, cls.inputs().getFirst());
              float div = mode == BnRestoreMode.QUIRK ? 1f : t;
              scaleColumns(p.get(cls.name() + ".weight"), fin, div, cls.name() + ".weight");
              yield fin;
            }
          };
    }
    return p;
  }

  private static float[] conv(IrNode.Conv c, HostParams p, float[] fin, float t, float unscaled) {
    String n = c.name();
    scaleColumns(p.get(n + ".conv.weight"), fin, t, n + ".conv.weight");
    float[] gamma = p.get(n + ".bn.weight").data();
    if (c.fixed()) return filled(gamma.length, unscaled); // own BN untouched
    float[] beta = p.get(n + ".bn.bias").data();
    float[] g = new float[gamma.length];
    for (int j = 0; j < gamma.length; j++) {
      float abs = Math.abs(gamma[j]);
      if (abs < GUARD) {
        g[j] = t; // guard: untouched, consumers unchanged
        continue;
      }
      g[j] = Math.min(abs, t);
      beta[j] = beta[j] / (g[j] / t);
      // masks computed before assigning: 0 <= gamma <= t -> t, -t <= gamma <= 0 -> -t
      if (gamma[j] >= 0 && gamma[j] <= t) gamma[j] = t;
      else if (gamma[j] >= -t && gamma[j] <= 0) gamma[j] = -t;
    }
    return g;
  }

  /** W[:, c] *= f[c] / div for a (O, I, k, k) weight. */
  private static void scaleColumns(HostTensor w, float[] f, float div, String name) {
    int out = w.shape()[0];
    int in = w.shape()[1];
    if (in != f.length) {
      throw new IllegalArgumentException(
          "tensor '" + name + "' has " + in + " input channels, its producer " + f.length);
    }
    int kk = w.numel() / Math.max(1, out * in);
    float[] d = w.data();
    for (int c = 0; c < in; c++) {
      float s = f[c] / div;
      for (int o = 0; o < out; o++) {
        int base = (o * in + c) * kk;
        for (int q = 0; q < kk; q++) d[base + q] *= s;
      }
    }
  }

  /** The factors of {@code cat}'s channels, in its channel order ({@link MixedChannels#concatOrder}). */
  private static float[] concat(IrNode.Concat cat, float[][] f, float[] image, MixedChannels mc, int width) {
    float[] r = new float[width];
    int at = 0;
    for (MixedChannels.Run run : mc.concatOrder(cat)) {
      System.arraycopy(in(f, image, cat.inputs().get(run.input())), run.from(), r, at, run.length());
      at += run.length();
    }
    return r;
  }

  private static float[] in(float[][] f, float[] image, int id) {
    return id == IrNode.IMAGE ? image : f[id];
  }

  private static float[] filled(int n, float v) {
    float[] a = new float[n];
    Arrays.fill(a, v);
    return a;
  }
}
