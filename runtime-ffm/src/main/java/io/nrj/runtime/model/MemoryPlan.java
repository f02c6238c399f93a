package io.nrj.runtime.model;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which activations of a network may share memory, from its graph (the IR) and what each layer's
 * backward reads. Two savings, each about a third of a ResNet's activation memory:
 *
 * <ul>
 *   <li><b>In place</b>: a ReLU or residual sum writes its output over an input that has no other
 *       reader and whose producer's backward does not read it (a sum's input from a conv without
 *       ReLU, whose BN backward reads the pre-BN response; the sum's output, read by the ReLU
 *       after it). A bottleneck block's conv3 output, sum and ReLU then use one buffer, as
 *       PyTorch's in-place ReLU does.
 *   <li><b>Gradient lifetimes</b>: an activation's gradient is live from the backward of its last
 *       consumer (the first to write it) to its producer's backward (which reads it). Gradients
 *       whose lifetimes do not overlap share memory ({@link ActivationArena}), and each is zeroed
 *       just before its first writer runs ({@link Layer#backward()}) instead of all at once.
 * </ul>
 *
 * <p>A sum's output gradient is also its input's gradient where that input has no other reader (a
 * bottleneck's conv3 output), and so is a ReLU's where the backend masks in place: the ReLU, sum
 * and conv3 gradients of a ResNet block are one buffer, zeroed once. Where the shortcut's other
 * readers come before conv3, that buffer is the shortcut's gradient too ({@link
 * #joinResidualStreams}): a stage's blocks share one gradient buffer, with no copy into the
 * shortcut's (the downsampling blocks, whose projection comes after conv3, still copy).
 *
 * <p>Layers are in forward order and backward runs them in reverse, as {@link LayerNetwork} and the
 * generated trainers do. Built anew for every widths table (rejuvenation rebuilds the layers).
 */
final class MemoryPlan {
  /** Per layer: the layer whose output value this layer's output reuses, or -1. */
  private final int[] alias;
  /** Per layer: the layer whose output gradient buffer this layer's output gradient is, or -1. */
  private final int[] gradAlias;
  /** Per layer: the layers reading its output, in forward order. */
  private final int[][] consumers;
  /** Per layer: its inputs' layers in the IR's order (-1 for the image). */
  private final int[][] inputs;

  private final boolean share;

  private MemoryPlan(int[] alias, int[] gradAlias, int[][] consumers, int[][] inputs, boolean share) {
    this.alias = alias;
    this.gradAlias = gradAlias;
    this.consumers = consumers;
    this.inputs = inputs;
    this.share = share;
  }

  /**
   * The plan for {@code layers}, one per IR node of {@code ir} with the node's name; {@code
   * inPlaceReluMask}: whether the backend masks a gradient by a ReLU's output in place.
   */
  static MemoryPlan of(NetworkIr ir, List<Layer> layers, boolean inPlaceReluMask) {
    boolean share = sharing && configuredSharing();
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < layers.size(); i++) index.put(layers.get(i).name(), i);
    Map<Integer, IrNode> nodeById = new HashMap<>();
    for (IrNode node : ir.nodes()) nodeById.put(node.id(), node);
    int count = layers.size();
    int[][] inputs = new int[count][];
    List<List<Integer>> readers = new ArrayList<>();
    for (int i = 0; i < count; i++) readers.add(new ArrayList<>());
    for (IrNode node : ir.nodes()) {
      Integer i = index.get(node.name());
      if (i == null) throw new IllegalStateException("network " + ir.name() + " has no layer for IR node " + node.name());
      inputs[i] = new int[node.inputs().size()];
      for (int k = 0; k < node.inputs().size(); k++) {
        int id = node.inputs().get(k);
        int j = id == IrNode.IMAGE ? -1 : index.get(nodeById.get(id).name());
        inputs[i][k] = j;
        if (j >= 0) readers.get(j).add(i);
      }
    }
    int[][] consumers = new int[count][];
    for (int j = 0; j < count; j++) consumers[j] = readers.get(j).stream().mapToInt(Integer::intValue).sorted().toArray();
    int[] alias = new int[count];
    int[] gradAlias = new int[count];
    for (int i = 0; i < count; i++) {
      alias[i] = -1;
      gradAlias[i] = -1;
      if (share && inputs[i] != null && layers.get(i).passesGradientThrough(inPlaceReluMask)) {
        for (int j : inputs[i]) {
          if (j >= 0 && consumers[j].length == 1) {
            gradAlias[i] = j;
            break;
          }
        }
      }
      if (inputs[i] == null) throw new IllegalStateException("layer " + layers.get(i).name() + " has no IR node");
      if (!share || !layers.get(i).runsInPlace()) continue;
      for (int j : inputs[i]) {
        if (j >= 0 && consumers[j].length == 1 && !layers.get(j).backwardReadsOutput()) {
          alias[i] = j;
          break;
        }
      }
    }
    if (share && residualStream) joinResidualStreams(layers, inputs, consumers, gradAlias);
    return new MemoryPlan(alias, gradAlias, consumers, inputs, share);
  }

  /**
   * The residual stream's gradient in one buffer: where a sum's output gradient is already its
   * branch's (the branch b read by nothing else, a ResNet block's conv3), b's output gradient
   * becomes the buffer of the sum's other input x (the shortcut) as well. The sum then passes its
   * gradient to x by leaving it where it is (its ReLU mask in place) instead of copying it into a
   * buffer of x's own: 16 MiB written and 16 MiB read for ownership fewer per block of ResNet-164's
   * first stage. Safe where b's backward only reads its output gradient, and every other reader of
   * x (the block's conv1) comes before b: backward runs them after b has read the sum's gradient,
   * and they add to it, as they added to the copy (the same sums in the same order, same bits).
   */
  private static void joinResidualStreams(List<Layer> layers, int[][] inputs, int[][] consumers, int[] gradAlias) {
    for (int i = 0; i < inputs.length; i++) {
      int b = gradAlias[i];
      if (b < 0 || gradAlias[b] >= 0 || !layers.get(b).backwardOnlyReadsOutputGradient()) continue;
      for (int x : inputs[i]) {
        if (x < 0 || x >= b) continue; // the shortcut comes before the branch
        boolean before = true;
        for (int c : consumers[x]) before &= c == i || c < b;
        if (before) {
          gradAlias[b] = x;
          break;
        }
      }
    }
  }

  /**
   * Whether a sum's branch and shortcut gradients may share a buffer ({@link #joinResidualStreams});
   * tests and A/B runs turn it off ({@code -Dnrj.memory.stream=false}).
   */
  static volatile boolean residualStream = !"false".equals(System.getProperty("nrj.memory.stream"));

  /**
   * Whether plans share memory at all (tests turn it off to check that sharing changes no bit):
   * without it every activation and gradient has its own memory, and every gradient is zeroed and
   * then added to (no first writer overwrites). {@code -Dnrj.memory.plan=off} turns it off too
   * ({@link #configuredSharing}).
   */
  static volatile boolean sharing = true;

  /**
   * {@code -Dnrj.memory.plan=share|off} (default share): off measures what the plan buys
   * (docs/performance.md). Read when a plan is built, like {@code nrj.cpu.conv}, and as strict.
   */
  static boolean configuredSharing() {
    String p = System.getProperty("nrj.memory.plan", "share").trim().toLowerCase(Locale.ROOT);
    return switch (p) {
      case "share" -> true;
      case "off" -> false;
      default -> throw new IllegalArgumentException("nrj.memory.plan must be share or off, got '" + p + "'");
    };
  }

  /** Whether gradients with disjoint lifetimes may share memory. */
  boolean shares() {
    return share;
  }

  /**
   * The layer whose output gradient buffer layer {@code i}'s output gradient may be, or -1: a sum
   * passes its gradient unchanged to each input, and a ReLU masks it in place, so the gradient of
   * an input read by nothing else needs no buffer (nor copy) of its own.
   */
  int gradAlias(int i) {
    return gradAlias[i];
  }

  /** Layer {@code i}'s inputs: their layers, -1 for the image. */
  int[] inputs(int i) {
    return inputs[i].clone();
  }

  /** The layer whose output value layer {@code i}'s output may reuse, or -1. */
  int alias(int i) {
    return alias[i];
  }

  /**
   * The layer whose backward writes layer {@code i}'s output gradient first: its last consumer,
   * or {@code i} itself when nothing reads the output (the gradient stays zero).
   */
  int firstWriter(int i) {
    return consumers[i].length == 0 ? i : consumers[i][consumers[i].length - 1];
  }
}
