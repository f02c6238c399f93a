package io.nrj.runtime.nr;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.HostTensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which neurons are alive, from the BN scales of a network before rejuvenation (spec §3). A
 * neuron (one output channel of an NR conv and its BN channel) is dead when {@code |gamma| <
 * max|gamma| * liveThreshold} within its own layer; a whole layer is dead when {@code max|gamma| <
 * deadThreshold} or when none of its inputs is alive.
 *
 * <p>Rules, in the authors' order:
 *
 * <ul>
 *   <li>The threshold is float32 arithmetic: the float32 max times the float32 relative threshold,
 *       compared with the float32 |gamma| by strict {@code <} (spec §13.3: a double threshold
 *       flips the {@code gamma == 0.01 * max} edge case).
 *   <li>The fully-dead test comes first, so it overrides {@code fixed}: a fixed layer whose inputs
 *       are all dead is fully dead too. Fixed layers otherwise keep every neuron.
 *   <li>Fully dead is sticky ({@code allDead} set, never reset), and a fully dead layer reports an
 *       all-false vector from then on (spec §12 B1 recommendation; the authors' code can report a
 *       stale one).
 *   <li>Propagation over any DAG of the IR: ReLU and pools pass the vector; a residual sum is all
 *       live with the width of its inputs (nothing after an addition is dead), or all dead when
 *       every input is fully dead; a concatenation concatenates its inputs' vectors in input
 *       order; the image is all live. A dead layer keeps its length here (the weights it feeds
 *       still have those columns); it only contributes 0 channels at rejuvenation (§12 B1, B4).
 * </ul>
 *
 * It is not a pruner: it reads tensors and changes nothing.
 */
public final class Liveness {
  private final boolean[][] nodeOut; // by node id: live vector of the node's output
  private final boolean[][] convIn; // by convIndex: live vector of the conv's input channels
  private final boolean[][] convOut; // by convIndex
  private final boolean[] classifierIn;
  private final Set<Integer> allDead;

  private Liveness(
      boolean[][] nodeOut,
      boolean[][] convIn,
      boolean[][] convOut,
      boolean[] classifierIn,
      Set<Integer> allDead) {
    this.nodeOut = nodeOut;
    this.convIn = convIn;
    this.convOut = convOut;
    this.classifierIn = classifierIn;
    this.allDead = Collections.unmodifiableSet(allDead);
  }

  /**
   * Inspects every NR conv of {@code ir} from the BN scales in {@code params}.
   *
   * @param allDeadBefore convIndex of layers found fully dead at earlier inspections (sticky)
   */
  public static Liveness inspect(
      NetworkIr ir,
      HostParams params,
      double liveThreshold,
      double deadThreshold,
      Set<Integer> allDeadBefore) {
    int convCount = ir.convs().size();
    boolean[][] nodeOut = new boolean[ir.nodes().size()][];
    boolean[][] convIn = new boolean[convCount][];
    boolean[][] convOut = new boolean[convCount][];
    boolean[] classifierIn = null;
    Set<Integer> allDead = new TreeSet<>(allDeadBefore);
    boolean[] image = filled(ir.input().channels(), true);
    for (IrNode n : ir.nodes()) {
      boolean[] out =
          switch (n) {
            case IrNode.Conv c -> {
              boolean[] in = input(nodeOut, image, c.inputs().getFirst());
              convIn[c.convIndex()] = in;
              boolean[] live = conv(c, in, params, liveThreshold, deadThreshold, allDead);
              convOut[c.convIndex()] = live;
              yield live;
            }
            case IrNode.Relu r -> input(nodeOut, image, r.inputs().getFirst());
            case IrNode.MaxPool p -> input(nodeOut, image, p.inputs().getFirst());
            case IrNode.AvgPool p -> input(nodeOut, image, p.inputs().getFirst());
            case IrNode.Add a -> {
              boolean anyLive = false;
              for (int i : a.inputs()) anyLive |= count(input(nodeOut, image, i)) > 0;
              yield filled(input(nodeOut, image, a.inputs().getFirst()).length, anyLive);
            }
            case IrNode.Concat cat -> {
              int len = 0;
              for (int i : cat.inputs()) len += input(nodeOut, image, i).length;
              boolean[] v = new boolean[len];
              int at = 0;
              for (int i : cat.inputs()) {
                boolean[] part = input(nodeOut, image, i);
                System.arraycopy(part, 0, v, at, part.length);
                at += part.length;
              }
              yield v;
            }
            case IrNode.Classifier cls -> {
              classifierIn = input(nodeOut, image, cls.inputs().getFirst());
              yield classifierIn;
            }
          };
      nodeOut[n.id()] = out;
    }
    return new Liveness(nodeOut, convIn, convOut, classifierIn, allDead);
  }

  private static boolean[] conv(
      IrNode.Conv c,
      boolean[] in,
      HostParams params,
      double liveThreshold,
      double deadThreshold,
      Set<Integer> allDead) {
    // Only the BN scales decide; the weight, when given (a GPU run sends only the scales), is
    // checked against them.
    HostTensor w = params.contains(c.name() + ".conv.weight") ? params.get(c.name() + ".conv.weight") : null;
    float[] gamma = params.get(c.name() + ".bn.weight").data();
    if (w != null && (w.shape().length != 4 || w.shape()[0] != gamma.length || w.shape()[1] != in.length)) {
      throw new IllegalArgumentException(
          "tensor '" + c.name() + ".conv.weight' has shape " + Arrays.toString(w.shape())
              + " but liveness expects (" + gamma.length + ", " + in.length + ", k, k)");
    }
    float max = maxAbs(gamma);
    // Fully-dead test first: it takes priority over is_fixed (spec §3).
    if (allDead.contains(c.convIndex()) || count(in) == 0 || max < (float) deadThreshold) {
      allDead.add(c.convIndex());
      return new boolean[gamma.length];
    }
    if (c.fixed()) return filled(gamma.length, true);
    return relativeMask(gamma, max, (float) liveThreshold);
  }

  /** live[j] = !(|gamma[j]| < max * threshold), all in float32 (spec §13.3). */
  static boolean[] relativeMask(float[] gamma, float max, float threshold) {
    float thr = max * threshold;
    boolean[] live = new boolean[gamma.length];
    for (int j = 0; j < gamma.length; j++) live[j] = !(Math.abs(gamma[j]) < thr);
    return live;
  }

  static float maxAbs(float[] v) {
    float m = 0f;
    for (float x : v) m = Math.max(m, Math.abs(x));
    return m;
  }

  private static boolean[] input(boolean[][] nodeOut, boolean[] image, int id) {
    return id == IrNode.IMAGE ? image : nodeOut[id];
  }

  static boolean[] filled(int n, boolean v) {
    boolean[] a = new boolean[n];
    Arrays.fill(a, v);
    return a;
  }

  static int count(boolean[] v) {
    int n = 0;
    for (boolean b : v) if (b) n++;
    return n;
  }

  /** Live vector of a conv's output channels (all false when fully dead). */
  public boolean[] convLive(int convIndex) {
    return convOut[convIndex].clone();
  }

  /** Live vector of a conv's input channels (its producer's vector). */
  public boolean[] convLiveIn(int convIndex) {
    return convIn[convIndex].clone();
  }

  /** Live vector of a node's output, by node id (for the classifier: its input). */
  public boolean[] nodeLive(int nodeId) {
    return nodeOut[nodeId].clone();
  }

  public boolean[] classifierLiveIn() {
    return classifierIn.clone();
  }

  public int liveOut(int convIndex) {
    return count(convOut[convIndex]);
  }

  public int liveIn(int convIndex) {
    return count(convIn[convIndex]);
  }

  /** convIndex of every fully dead layer, including those from earlier inspections. */
  public Set<Integer> allDead() {
    return allDead;
  }

  public boolean isAllDead(int convIndex) {
    return allDead.contains(convIndex);
  }
}
