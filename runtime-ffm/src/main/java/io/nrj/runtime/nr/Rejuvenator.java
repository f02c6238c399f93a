package io.nrj.runtime.nr;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.dsl.ir.Shape;
import io.nrj.dsl.ir.Widths;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Rejuvenation surgery (spec §5.2 to §5.4): from a sparse network, its liveness and the expand rate
 * e, builds the wider network whose every tensor is ordered [survivors | new].
 *
 * <p>Per NR conv with li live inputs and lo live outputs (forward order):
 *
 * <ul>
 *   <li>Fully dead: its tensors are deleted and its width is 0 (spec §12 B1); a residual sum then
 *       takes its width from a live input, a concatenation drops it (§12 B4). A classifier that
 *       receives nothing is an error (§12 B1: a plain chain with a dead layer).
 *   <li>Otherwise outW = floor(lo·e) and inW = the producer's new width (li for input layers, which
 *       keep their image channels). W' ~ N(0, sqrt(2 / (k·k·outW))) (He fan-out with the NEW
 *       width), then W'[0:lo, 0:li] = W[live rows, live columns] in original order. BN: every
 *       channel gets gamma = newGamma, beta 0, mean 0, var 1, then the first lo channels get the
 *       survivors' gamma, beta, running mean and var; num_batches_tracked is 0.
 *   <li>Split (not an input layer, outW > lo and inW > li): the cross blocks W'[0:lo, li:inW] and
 *       W'[lo:outW, 0:li] are zeroed. Otherwise the conv stays unsplit with its random cross
 *       weights, as the authors' code does (spec §12 B6, reproduced).
 *   <li>Classifier: W' ~ N(0, 0.01) of shape (K, newIn, 1, 1), W'[:, 0:li] = W[:, live columns],
 *       bias kept.
 * </ul>
 *
 * Random numbers are drawn from the given {@link Random} in forward order, each tensor in
 * row-major order, so a seed fixes the result. Optimiser state is not carried: a fresh optimiser
 * follows rejuvenation (spec §2.2). Tensors not owned by an NR conv or the classifier pass through.
 */
public final class Rejuvenator {
  private Rejuvenator() {}

  /**
   * The rejuvenated network: widths, how to build its tensors from the old ones, its tensors when
   * the old ones were given ({@link #rejuvenate}; null from {@link #plan}), layout and report rows.
   */
  public record Result(
      Widths widths,
      Surgery surgery,
      HostParams params,
      MixedLayout layout,
      List<RejuvenationReport.Layer> layers,
      RejuvenationReport.Classifier classifier) {}

  /** {@link #plan} applied to {@code params} on the heap: the result carries the new tensors. */
  public static Result rejuvenate(
      NetworkIr ir,
      Widths widths,
      HostParams params,
      Liveness liveness,
      double expandRate,
      double newGamma,
      CrossMode cross,
      Random rng) {
    Result r = plan(ir, widths, liveness, expandRate, newGamma, cross, rng);
    return new Result(
        r.widths(), r.surgery(), r.surgery().applyOnHost(params), r.layout(), r.layers(), r.classifier());
  }

  /**
   * Plans the surgery from the liveness alone (the old tensors are not needed: their shapes follow
   * from the IR's declared widths), so a GPU run can copy the survivors on the device.
   */
  public static Result plan(
      NetworkIr ir,
      Widths widths,
      Liveness liveness,
      double expandRate,
      double newGamma,
      CrossMode cross,
      Random rng) {
    if (!widths.equals(ir.widths())) {
      throw new IllegalStateException(
          "rejuvenation happens once, from the declared widths " + ir.widths() + "; got " + widths);
    }
    List<IrNode.Conv> convs = ir.convs();
    int[] out = new int[convs.size()];
    for (IrNode.Conv c : convs) {
      int i = c.convIndex();
      out[i] = liveness.isAllDead(i) ? 0 : ExpandRate.newWidth(liveness.liveOut(i), expandRate);
    }
    Widths newWidths = new Widths(out);
    Shape[] oldShapes = ir.shapes(widths);
    Shape[] shapes = ir.shapes(newWidths);
    int image = ir.input().channels();

    Tensors t = new Tensors();
    List<MixedLayout.ConvSplit> splits = new ArrayList<>();
    List<RejuvenationReport.Layer> rows = new ArrayList<>();
    for (int i = 0; i < convs.size(); i++) splits.add(null);
    RejuvenationReport.Classifier clsRow = null;
    int classifierLiveIn = 0;
    for (IrNode node : ir.nodes()) {
      if (node instanceof IrNode.Conv c) {
        int i = c.convIndex();
        int oldIn = channels(oldShapes, image, c.inputs().getFirst());
        int newIn = channels(shapes, image, c.inputs().getFirst());
        MixedLayout.ConvSplit split = conv(c, liveness, widths.get(i), oldIn, out[i], newIn, newGamma, rng, t);
        splits.set(i, split);
        rows.add(
            new RejuvenationReport.Layer(
                c.name(),
                liveness.liveOut(i),
                widths.get(i),
                liveness.liveIn(i),
                oldIn,
                out[i],
                split.deleted(),
                split.split()));
      } else if (node instanceof IrNode.Classifier cls) {
        int newIn = channels(shapes, image, cls.inputs().getFirst());
        classifierLiveIn = Liveness.count(liveness.classifierLiveIn());
        if (newIn == 0 || classifierLiveIn == 0) {
          throw new IllegalStateException(
              "cannot rejuvenate: every path into the classifier '"
                  + cls.name()
                  + "' is fully dead (spec §12 B1); lower the sparsity or the dead threshold");
        }
        int oldIn = channels(oldShapes, image, cls.inputs().getFirst());
        classifier(cls, liveness.classifierLiveIn(), oldIn, newIn, rng, t);
        clsRow =
            new RejuvenationReport.Classifier(
                cls.name(), classifierLiveIn, liveness.classifierLiveIn().length, newIn);
      }
    }
    MixedLayout layout = new MixedLayout(splits, classifierLiveIn, cross);
    checkLayout(ir, newWidths, layout, liveness);
    Surgery surgery = new Surgery(t.fresh, t.survivors, t.deleted);
    return new Result(newWidths, surgery, null, layout, List.copyOf(rows), clsRow);
  }

  /** The surgery being built: fresh tensors, survivor copies and deleted names. */
  private static final class Tensors {
    final HostParams fresh = new HostParams();
    final List<Surgery.Survivors> survivors = new ArrayList<>();
    final Set<String> deleted = new HashSet<>();
  }

  private static MixedLayout.ConvSplit conv(
      IrNode.Conv c,
      Liveness liveness,
      int oldOut,
      int oldIn,
      int outW,
      int newIn,
      double newGamma,
      Random rng,
      Tensors t) {
    int i = c.convIndex();
    String n = c.name();
    String[] names = {
      n + ".conv.weight", n + ".bn.weight", n + ".bn.bias", n + ".bn.running_mean",
      n + ".bn.running_var", n + ".bn.num_batches_tracked"
    };
    if (liveness.isAllDead(i)) {
      t.deleted.addAll(List.of(names));
      return new MixedLayout.ConvSplit(0, 0, false, true);
    }
    int[] rowsKept = indices(liveness.convLive(i));
    int[] colsKept = indices(liveness.convLiveIn(i));
    if (liveness.convLive(i).length != oldOut || liveness.convLiveIn(i).length != oldIn) {
      throw new IllegalStateException(
          "liveness of '" + n + "' covers " + liveness.convLive(i).length + "x" + liveness.convLiveIn(i).length
              + " channels, the network " + oldOut + "x" + oldIn);
    }
    int lo = rowsKept.length;
    int li = colsKept.length;
    int inW = c.isInput() ? li : newIn;
    int k = c.kernel();
    int kk = k * k;
    // W is (O, I, k, k); W' is (outW, inW, k, k): random He init, survivors W'[0:lo, 0:li] copied.
    float[] nw = new float[outW * inW * kk];
    double std = Math.sqrt(2.0 / (kk * (double) outW));
    for (int j = 0; j < nw.length; j++) nw[j] = (float) (rng.nextGaussian() * std);
    boolean split = !c.isInput() && outW > lo && inW > li;
    if (split) {
      for (int r = 0; r < outW; r++) {
        // survivor rows lose their new-input columns; new rows lose their survivor columns
        int from = r < lo ? li : 0;
        int to = r < lo ? inW : li;
        Arrays.fill(nw, (r * inW + from) * kk, (r * inW + to) * kk, 0f);
      }
    }
    t.fresh.put(names[0], new HostTensor(new int[] {outW, inW, k, k}, nw));
    t.survivors.add(new Surgery.Survivors(names[0], rowsKept, colsKept, oldIn, inW, kk));
    // BN: every channel gamma = newGamma, beta 0, mean 0, var 1; survivors keep theirs.
    float[][] init = {
      filled(outW, (float) newGamma), new float[outW], new float[outW], filled(outW, 1f)
    };
    for (int b = 0; b < 4; b++) {
      t.fresh.put(names[b + 1], new HostTensor(new int[] {outW}, init[b]));
      t.survivors.add(new Surgery.Survivors(names[b + 1], rowsKept, new int[] {0}, 1, 1, 1));
    }
    t.fresh.put(names[5], new HostTensor(new int[0], new float[1]));
    return new MixedLayout.ConvSplit(li, lo, split, false);
  }

  private static void classifier(
      IrNode.Classifier cls, boolean[] liveIn, int oldIn, int newIn, Random rng, Tensors t) {
    // W is (K, C, 1, 1); W' is (K, newIn, 1, 1) ~ N(0, 0.01) with W'[:, 0:li] = W[:, live columns];
    // the bias (K) is kept.
    if (oldIn != liveIn.length) {
      throw new IllegalArgumentException(
          "tensor '" + cls.name() + ".weight' has " + oldIn + " inputs, the network " + liveIn.length);
    }
    int classes = cls.classes();
    float[] nw = new float[classes * newIn];
    for (int j = 0; j < nw.length; j++) nw[j] = (float) (rng.nextGaussian() * 0.01);
    int[] all = new int[classes];
    for (int r = 0; r < classes; r++) all[r] = r;
    t.fresh.put(cls.name() + ".weight", new HostTensor(new int[] {classes, newIn, 1, 1}, nw));
    t.survivors.add(new Surgery.Survivors(cls.name() + ".weight", all, indices(liveIn), oldIn, newIn, 1));
  }

  /**
   * Every consumer's survivor columns must be exactly its producer's survivor channels, and every
   * live input of a residual sum must have the same split; a network where this fails (for example
   * a sum fed by a prunable, non-fixed conv) cannot be rejuvenated consistently.
   */
  private static void checkLayout(NetworkIr ir, Widths widths, MixedLayout layout, Liveness lv) {
    MixedChannels mc = MixedChannels.of(ir, widths, layout);
    int image = ir.input().channels();
    for (IrNode node : ir.nodes()) {
      switch (node) {
        case IrNode.Conv c when !layout.convs().get(c.convIndex()).deleted() -> {
          int src = c.inputs().getFirst();
          int s = src == IrNode.IMAGE ? image : mc.survivors(src);
          if (s != lv.liveIn(c.convIndex())) {
            throw new IllegalStateException(mismatch(c.name(), s, lv.liveIn(c.convIndex())));
          }
        }
        case IrNode.Add a -> {
          int s = mc.survivors(a.id());
          int w = mc.width(a.id());
          for (int in : a.inputs()) {
            int iw = in == IrNode.IMAGE ? image : mc.width(in);
            int is = in == IrNode.IMAGE ? image : mc.survivors(in);
            if (iw > 0 && (iw != w || is != s)) {
              throw new IllegalStateException(
                  "cannot rejuvenate residual sum '" + a.name() + "': its inputs would have splits "
                      + s + "+" + (w - s) + " and " + is + "+" + (iw - is)
                      + "; mark the convs feeding it fixed");
            }
          }
        }
        default -> {}
      }
    }
  }

  private static String mismatch(String name, int producer, int consumer) {
    return "cannot rejuvenate '" + name + "': its producer keeps " + producer
        + " surviving channels but it reads " + consumer + " live inputs";
  }

  private static int channels(Shape[] shapes, int image, int id) {
    return id == IrNode.IMAGE ? image : shapes[id].channels();
  }

  private static int[] indices(boolean[] v) {
    int[] r = new int[Liveness.count(v)];
    int at = 0;
    for (int j = 0; j < v.length; j++) if (v[j]) r[at++] = j;
    return r;
  }

  private static float[] filled(int n, float v) {
    float[] a = new float[n];
    Arrays.fill(a, v);
    return a;
  }
}
