package io.nrj.export;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.Shape;
import io.nrj.runtime.HostTensor;
import io.nrj.runtime.nr.MixedChannels;
import io.nrj.runtime.nr.MixedLayout;
import io.nrj.runtime.nr.MixedLayout.ConvSplit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds the {@link InferenceGraph} of a {@link TrainedNetwork}, following the runtime's eval-mode
 * forward pass node by node ({@code GraphNetwork}): a conv of width 0 (fully dead, deleted at
 * rejuvenation, spec §12 B1) outputs nothing; ReLU and pools pass nothing on; a residual sum skips
 * absent inputs and a concatenation drops them (§12 B4) and, after rejuvenation, joins the survivor
 * parts of its inputs before their new parts (§5.3); a conv or classifier left without input is an
 * error, as it is for {@code nrj eval}.
 *
 * <p>Every tensor the network needs must be in the checkpoint with its shape at these widths and
 * hold finite values (running variances also non-negative), and the checkpoint must hold no other
 * model tensor: an exported file is then one that ONNX Runtime accepts and that PyTorch loads
 * with {@code strict=True}. Problems are {@link ExportException}s naming the tensor or layer.
 */
public final class InferenceGraphBuilder {
  private final TrainedNetwork net;
  private final Shape[] shapes;
  private final MixedChannels channels; // the [survivors | new] split, for concatenations
  private final String[] values; // by node id: the value the node outputs, null when absent
  private final Set<String> used = new HashSet<>();

  private InferenceGraphBuilder(TrainedNetwork net) {
    this.net = net;
    NetworkIr ir = net.ir();
    if (net.widths().size() != ir.convs().size()) {
      throw fail("its widths table has " + net.widths().size() + " entries but network " + ir.name() + " has "
          + ir.convs().size() + " convs");
    }
    MixedLayout layout = net.layout();
    if (layout != null && layout.convs().size() != ir.convs().size()) {
      throw fail("its mixed layout has " + layout.convs().size() + " convs but network " + ir.name() + " has "
          + ir.convs().size());
    }
    this.shapes = ir.shapes(net.widths());
    this.channels = MixedChannels.of(ir, net.widths(), layout);
    this.values = new String[ir.nodes().size()];
  }

  /** The inference graph of {@code net}; see the class comment for what is checked. */
  public static InferenceGraph build(TrainedNetwork net) {
    return new InferenceGraphBuilder(net).build();
  }

  private InferenceGraph build() {
    NetworkIr ir = net.ir();
    List<InferenceGraph.Op> ops = new ArrayList<>();
    for (IrNode node : ir.nodes()) {
      InferenceGraph.Op op =
          switch (node) {
            case IrNode.Conv c -> conv(c);
            case IrNode.Classifier c -> classifier(c);
            default -> present(node.inputs()).isEmpty() ? null : passOn(node, present(node.inputs()));
          };
      if (op != null) {
        ops.add(op);
        values[node.id()] = op.name();
      }
    }
    for (String name : net.params().asMap().keySet()) {
      if (!used.contains(name)) {
        throw fail("tensor '" + name + "' is not part of network " + ir.name() + " at widths " + net.widths());
      }
    }
    return new InferenceGraph(net.checkpoint(), ir.name(), ir.input(), ir.classes(), ops, normalization(), description());
  }

  private InferenceGraph.Conv conv(IrNode.Conv c) {
    int out = net.widths().get(c.convIndex());
    if (out == 0) return null; // deleted at rejuvenation: outputs nothing
    int src = c.inputs().getFirst();
    if (value(src) == null) {
      throw fail("conv " + c.name() + " has no input: " + nothing(src));
    }
    Shape in = shape(src);
    int k = c.kernel();
    String n = c.name();
    HostTensor weight = tensor(n + ".conv.weight", out, in.channels(), k, k);
    InferenceGraph.BatchNorm bn =
        new InferenceGraph.BatchNorm(
            tensor(n + ".bn.weight", out).data(), tensor(n + ".bn.bias", out).data(),
            tensor(n + ".bn.running_mean", out).data(), tensor(n + ".bn.running_var", out).data());
    for (int ch = 0; ch < out; ch++) {
      if (bn.var()[ch] < 0) throw fail("tensor '" + n + ".bn.running_var' is negative at channel " + ch);
    }
    String tracked = n + ".bn.num_batches_tracked";
    if (net.params().contains(tracked)) used.add(tracked);
    return new InferenceGraph.Conv(
        n, value(src), in, shape(c.id()), k, c.stride(), c.pad(), c.relu(), weight, bn, gate(c, in.channels(), out));
  }

  /** The cross-attention split of {@code c}, or null: as the runtime's ConvBnLayer decides it. */
  private InferenceGraph.CrossGate gate(IrNode.Conv c, int in, int out) {
    MixedLayout layout = net.layout();
    if (layout == null || layout.cross() != CrossMode.ATTENTION || c.isInput()) return null;
    ConvSplit s = layout.convs().get(c.convIndex());
    if (!s.split()) return null;
    if (s.liveIn() < 0 || s.liveIn() > in || s.liveOut() < 0 || s.liveOut() > out) {
      throw fail("its mixed layout splits conv " + c.name() + " (" + in + " -> " + out + " channels) at "
          + s.liveIn() + " survivor inputs and " + s.liveOut() + " survivor outputs");
    }
    return new InferenceGraph.CrossGate(s.liveIn(), s.liveOut());
  }

  /** A ReLU, pool, sum or concatenation of the inputs that are present. */
  private InferenceGraph.Op passOn(IrNode node, List<String> ins) {
    Shape out = shape(node.id());
    return switch (node) {
      case IrNode.Relu r -> new InferenceGraph.Relu(r.name(), ins.getFirst(), out);
      case IrNode.MaxPool p -> new InferenceGraph.Pool(p.name(), ins.getFirst(), out, true, p.kernel(), p.stride(), p.pad());
      case IrNode.AvgPool p -> new InferenceGraph.Pool(p.name(), ins.getFirst(), out, false, p.kernel(), p.stride(), p.pad());
      case IrNode.Add a -> new InferenceGraph.Add(a.name(), ins, out);
      case IrNode.Concat c -> new InferenceGraph.Concat(c.name(), parts(c), out);
      case IrNode.Conv c -> throw new IllegalArgumentException(c.name());
      case IrNode.Classifier c -> throw new IllegalArgumentException(c.name());
    };
  }

  /** The concatenation's parts in the runtime's channel order ({@link MixedChannels#concatOrder}). */
  private List<InferenceGraph.Part> parts(IrNode.Concat c) {
    List<MixedChannels.Run> runs;
    try {
      runs = channels.concatOrder(c);
    } catch (IllegalArgumentException e) {
      throw fail(e.getMessage());
    }
    List<InferenceGraph.Part> parts = new ArrayList<>();
    for (MixedChannels.Run r : runs) {
      int id = c.inputs().get(r.input());
      parts.add(new InferenceGraph.Part(value(id), shape(id).channels(), r.from(), r.to()));
    }
    return parts;
  }

  private InferenceGraph.Classifier classifier(IrNode.Classifier c) {
    int src = c.inputs().getFirst();
    if (value(src) == null || shape(src).channels() == 0) {
      throw fail("classifier " + c.name() + " has no input features: " + nothing(src));
    }
    Shape in = shape(src);
    int liveIn = net.layout() == null ? -1 : net.layout().classifierLiveIn();
    if (liveIn > in.channels()) {
      throw fail("its mixed layout gives the classifier " + liveIn + " survivor features of " + in.channels());
    }
    HostTensor w = tensor(c.name() + ".weight", c.classes(), in.channels(), 1, 1);
    float[] b = tensor(c.name() + ".bias", c.classes()).data();
    return new InferenceGraph.Classifier(c.name(), value(src), in, c.classes(), w, b, liveIn);
  }

  // ---- values, shapes, tensors ----

  private String value(int id) {
    return id == IrNode.IMAGE ? InferenceGraph.IMAGE : values[id];
  }

  private Shape shape(int id) {
    return id == IrNode.IMAGE ? net.ir().input() : shapes[id];
  }

  private String nothing(int id) {
    return net.ir().nodes().get(id).name() + " outputs nothing (fully dead layers were deleted at rejuvenation;"
        + " nrj eval cannot run this network either)";
  }

  private List<String> present(List<Integer> inputs) {
    List<String> r = new ArrayList<>();
    for (int i : inputs) if (value(i) != null) r.add(value(i));
    return r;
  }

  private HostTensor tensor(String name, int... shape) {
    if (!net.params().contains(name)) {
      throw fail("tensor '" + name + "' is missing (network " + net.ir().name() + " at widths " + net.widths() + ")");
    }
    HostTensor t = net.params().get(name);
    if (!Arrays.equals(t.shape(), shape)) {
      throw fail("tensor '" + name + "' has shape " + Arrays.toString(t.shape()) + ", network " + net.ir().name()
          + " at widths " + net.widths() + " needs " + Arrays.toString(shape));
    }
    float[] d = t.data();
    for (int i = 0; i < d.length; i++) {
      if (!Float.isFinite(d[i])) {
        throw fail(
            "tensor '" + name + "' holds " + d[i] + " at index " + i + ": the run diverged; export an earlier checkpoint");
      }
    }
    used.add(name);
    return t;
  }

  private InferenceGraph.Normalization normalization() {
    ScheduleIr.Normalize n = net.normalize();
    if (n.mean().isEmpty() && n.std().isEmpty()) return null;
    int c = net.ir().input().channels();
    double[] mean = perChannel(n.mean(), c, 0.0, "mean");
    double[] std = perChannel(n.std(), c, 1.0, "std");
    for (double s : std) {
      if (!(s > 0)) throw fail("its schedule's normalize std must be positive, got " + s);
    }
    return new InferenceGraph.Normalization(mean, std);
  }

  // The same reading as the data pipeline's: no values, one for every channel, or one per channel.
  private double[] perChannel(List<Double> v, int channels, double none, String what) {
    double[] r = new double[channels];
    if (v.size() > 1 && v.size() != channels) {
      throw fail("its schedule's normalize " + what + " has " + v.size() + " values but the images have " + channels
          + (channels == 1 ? " channel" : " channels"));
    }
    for (int i = 0; i < channels; i++) r[i] = v.isEmpty() ? none : v.size() == 1 ? v.getFirst() : v.get(i);
    return r;
  }

  private String description() {
    MixedLayout l = net.layout();
    String state =
        l == null ? "not rejuvenated"
            : "rejuvenated, " + (l.cross() == CrossMode.ATTENTION ? "cross-attention" : "cross connections removed")
                + ", logits = survivor logits + new logits";
    return net.ir().name() + " at widths " + net.widths() + ", epoch " + net.epoch() + " of "
        + net.checkpoint().getFileName() + " (" + state + ")";
  }

  private ExportException fail(String problem) {
    return new ExportException(net.checkpoint(), problem);
  }
}
