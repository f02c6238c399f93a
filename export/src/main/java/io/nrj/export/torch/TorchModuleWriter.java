package io.nrj.export.torch;

import io.nrj.dsl.ir.Shape;
import io.nrj.export.ExportException;
import io.nrj.export.InferenceGraph;
import io.nrj.export.InferenceGraph.Normalization;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Writes an {@link InferenceGraph} as a self-contained PyTorch module: Python source of the
 * architecture with its widths, whose {@code state_dict} has exactly the checkpoint's model tensor
 * names and shapes, so {@code load_state_dict(load_nrj_checkpoint(path), strict=True)} works and
 * the module then computes in eval mode what {@code nrj eval} computes (the same logits, survivor
 * and new logits after rejuvenation). Needs only torch (and safetensors to read the checkpoint).
 *
 * <p>It keeps BatchNorm as {@code nn.BatchNorm2d} (a checkpoint's tensors load as they are); it
 * is for evaluation and fine-tuning in PyTorch, not for resuming an NR run (no NR engine).
 */
public final class TorchModuleWriter {
  private final InferenceGraph g;
  private final StringBuilder py = new StringBuilder();
  private final Map<String, String> vars = new HashMap<>(); // value name -> Python variable

  private TorchModuleWriter(InferenceGraph g) {
    this.g = g;
  }

  /** The Python class name for network {@code name}: lenet5 -> Lenet5, vgg19_nr -> Vgg19Nr. */
  public static String className(String name) {
    String c =
        Arrays.stream(name.split("_"))
            .filter(s -> !s.isEmpty())
            .map(s -> Character.toUpperCase(s.charAt(0)) + s.substring(1))
            .collect(Collectors.joining());
    return c.isEmpty() || !Character.isJavaIdentifierStart(c.charAt(0)) ? "Net" + c : c;
  }

  /**
   * The module's Python source.
   *
   * @throws ExportException when a layer's name cannot be a PyTorch module path here (it would
   *     shadow an {@code nn.Module} attribute, or a layer would sit inside another layer)
   */
  public static String source(InferenceGraph g) {
    checkNames(g);
    return new TorchModuleWriter(g).write();
  }

  // torch.nn.Module's public attributes (torch 2.x): a child module of one of these names cannot
  // be added, so a layer named so could not be loaded.
  private static final Set<String> MODULE_ATTRIBUTES =
      Set.of(
          "T_destination", "add_module", "apply", "bfloat16", "buffers", "call_super_init", "children", "compile", "cpu",
          "cuda", "double", "dump_patches", "eval", "extra_repr", "float", "forward", "get_buffer", "get_extra_state",
          "get_parameter", "get_submodule", "half", "ipu", "load_state_dict", "modules", "mtia", "named_buffers",
          "named_children", "named_modules", "named_parameters", "parameters", "register_backward_hook",
          "register_buffer", "register_forward_hook", "register_forward_pre_hook", "register_full_backward_hook",
          "register_full_backward_pre_hook", "register_load_state_dict_post_hook",
          "register_load_state_dict_pre_hook", "register_module", "register_parameter",
          "register_state_dict_post_hook", "register_state_dict_pre_hook", "requires_grad_", "set_extra_state",
          "set_submodule", "share_memory", "state_dict", "to", "to_empty", "train", "training", "type", "xpu",
          "zero_grad");

  // What the generated network class itself defines.
  private static final Set<String> CLASS_ATTRIBUTES =
      Set.of("INPUT_SHAPE", "CLASSES", "MEAN", "STD", "classifier_input", "path_logits");

  private static void checkNames(InferenceGraph g) {
    Set<String> layers = new HashSet<>();
    for (InferenceGraph.Op op : g.ops()) {
      if (op instanceof InferenceGraph.Conv || op instanceof InferenceGraph.Classifier) layers.add(op.name());
    }
    for (String layer : layers) {
      String[] parts = layer.split("\\.", -1);
      for (int i = 0; i < parts.length; i++) {
        String prefix = String.join(".", Arrays.copyOf(parts, i + 1));
        String problem =
            MODULE_ATTRIBUTES.contains(parts[i]) ? "'" + parts[i] + "' is an attribute of torch.nn.Module"
                : i == 0 && CLASS_ATTRIBUTES.contains(parts[i]) ? "'" + parts[i] + "' is defined by the exported class"
                : i < parts.length - 1 && layers.contains(prefix) ? "it sits inside layer '" + prefix + "'"
                : parts[i].isEmpty() ? "it has an empty path component"
                : null;
        if (problem != null) {
          throw new ExportException(
              g.checkpoint(), "layer '" + layer + "' cannot be a PyTorch module path: " + problem
                  + "; rename it in the .nr source to export for PyTorch");
        }
      }
    }
  }

  private String write() {
    String cls = className(g.network());
    line(0, "\"\"\"" + g.network() + " as a PyTorch module, written by `nrj export --format torch`.");
    line(0, "");
    line(0, g.description() + ".");
    line(0, "");
    line(0, "    model = " + cls + "()");
    line(0, "    model.load_state_dict(load_nrj_checkpoint(\"checkpoint.safetensors\"), strict=True)");
    line(0, "    model.eval()");
    line(0, "    logits = model(images)  # images: (N, " + dims(g.input()) + ") float32, " + inputNote());
    line(0, "");
    line(0, "Layer names and tensor shapes are the checkpoint's; BN runs in eval mode after model.eval().");
    line(0, "\"\"\"");
    line(0, "import torch");
    line(0, "import torch.nn.functional as F");
    line(0, "from torch import nn");
    line(0, "");
    line(0, "");
    py.append(SUPPORT);
    line(0, "");
    line(0, "");
    networkClass(cls);
    return py.toString();
  }

  private String inputNote() {
    Normalization n = g.normalization();
    if (n == null) return "pixels / 255";
    return "(pixels / 255 - MEAN) / STD per channel";
  }

  private void networkClass(String cls) {
    line(0, "class " + cls + "(nn.Module):");
    line(1, "\"\"\"" + g.description() + ".\"\"\"");
    line(0, "");
    line(1, "INPUT_SHAPE = (" + dims(g.input()) + ")");
    line(1, "CLASSES = " + g.classes());
    Normalization n = g.normalization();
    if (n != null) {
      line(1, "MEAN = " + tuple(n.mean()) + "  # the input normalisation of the schedule");
      line(1, "STD = " + tuple(n.std()));
    }
    line(0, "");
    line(1, "def __init__(self):");
    line(2, "super().__init__()");
    for (InferenceGraph.Op op : g.ops()) {
      switch (op) {
        case InferenceGraph.Conv c -> {
          String gate = c.gate() == null ? "" : ", gate=(" + c.gate().liveIn() + ", " + c.gate().liveOut() + ")";
          line(2, "_add(self, \"" + c.name() + "\", NrConv(" + c.in().channels() + ", " + c.out().channels() + ", "
              + c.kernel() + ", " + c.stride() + ", " + c.pad() + ", relu=" + (c.relu() ? "True" : "False") + gate + "))");
        }
        case InferenceGraph.Classifier c ->
            line(2, "_add(self, \"" + c.name() + "\", NrClassifier(" + c.in().channels() + ", " + c.classes()
                + ", live_in=" + c.liveIn() + "))");
        default -> {}
      }
    }
    line(0, "");
    line(1, "def classifier_input(self, image):");
    line(2, "\"\"\"The classifier's input: image (N, " + dims(g.input()) + ") -> (N, "
        + dims(g.classifier().in()) + ").\"\"\"");
    line(2, "m = self.get_submodule");
    vars.put(InferenceGraph.IMAGE, "image");
    List<InferenceGraph.Op> ops = g.ops();
    for (int i = 0; i < ops.size() - 1; i++) statement(ops.get(i), "x" + i);
    line(2, "return " + vars.get(g.classifier().input()));
    line(0, "");
    line(1, "def forward(self, image):");
    line(2, "\"\"\"Logits (N, " + g.classes() + ")" + (g.mixed() ? ": survivor logits + new logits" : "") + ".\"\"\"");
    line(2, "return self.get_submodule(\"" + g.classifier().name() + "\")(self.classifier_input(image))");
    line(0, "");
    line(1, "def path_logits(self, image):");
    line(2, "\"\"\"(survivor logits, new logits) of a rejuvenated network; (logits, None) before.\"\"\"");
    line(2, "return self.get_submodule(\"" + g.classifier().name() + "\").paths(self.classifier_input(image))");
  }

  private void statement(InferenceGraph.Op op, String x) {
    String rhs =
        switch (op) {
          case InferenceGraph.Conv c -> "m(\"" + c.name() + "\")(" + var(c.input()) + ")";
          case InferenceGraph.Relu r -> "F.relu(" + var(r.input()) + ")";
          case InferenceGraph.Pool p ->
              (p.max() ? "F.max_pool2d(" : "F.avg_pool2d(") + var(p.input()) + ", " + p.kernel() + ", " + p.stride()
                  + ", " + p.pad() + ")";
          case InferenceGraph.Add a -> a.inputs().stream().map(this::var).collect(Collectors.joining(" + "));
          case InferenceGraph.Concat c -> concat(c);
          case InferenceGraph.Classifier c -> throw new IllegalStateException("the classifier is applied in forward");
        };
    line(2, x + " = " + rhs + "  # " + op.name() + ": (N, " + dims(op.out()) + ")");
    vars.put(op.name(), x);
  }

  /** The parts one after the other: whole inputs as they are, parts sliced on the channel axis. */
  private String concat(InferenceGraph.Concat c) {
    List<String> parts =
        c.parts().stream()
            .map(p -> p.whole() ? var(p.input()) : var(p.input()) + "[:, " + p.from() + ":" + p.to() + "]")
            .toList();
    return parts.size() == 1 ? parts.getFirst() : "torch.cat([" + String.join(", ", parts) + "], dim=1)";
  }

  private String var(String value) {
    String v = vars.get(value);
    if (v == null) throw new IllegalStateException("value " + value + " used before it is computed");
    return v;
  }

  private static String dims(Shape s) {
    return s.channels() + ", " + s.height() + ", " + s.width();
  }

  private static String tuple(double[] v) {
    return "(" + Arrays.stream(v).mapToObj(Double::toString).collect(Collectors.joining(", ")) + (v.length == 1 ? ",)" : ")");
  }

  private void line(int indent, String text) {
    py.append("    ".repeat(indent)).append(text).append('\n');
  }

  // The building blocks every exported module shares (spec §8.1, §6.2, §6.4).
  private static final String SUPPORT =
      """
      class NrConv(nn.Module):
          \"""conv (no bias) + BatchNorm2d (eps 1e-5, momentum 0.1), then ReLU when relu.

          gate=(li, lo): a split conv with cross-attention (Neural Rejuvenation, spec 6.2),
          z = a + 2 * sigmoid(a) * c, where a uses the weight's diagonal blocks (survivor inputs
          [0, li) to survivor outputs [0, lo), new inputs to new outputs) and c its cross blocks.
          \"""

          def __init__(self, cin, cout, k, stride, pad, relu, gate=None):
              super().__init__()
              self.conv = nn.Conv2d(cin, cout, k, stride, pad, bias=False)
              self.bn = nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)
              self.relu = relu
              self.gated = gate is not None
              if self.gated:
                  li, lo = gate
                  diag = torch.zeros(cout, cin, 1, 1)
                  diag[:lo, :li] = 1
                  diag[lo:, li:] = 1
                  self.register_buffer("diag", diag, persistent=False)  # not part of the state_dict

          def forward(self, x):
              if self.gated:
                  w, s, p = self.conv.weight, self.conv.stride, self.conv.padding
                  a = F.conv2d(x, w * self.diag, None, s, p)
                  c = F.conv2d(x, w * (1 - self.diag), None, s, p)
                  z = a + 2 * torch.sigmoid(a) * c
              else:
                  z = self.conv(x)
              y = self.bn(z)
              return F.relu(y) if self.relu else y


      class NrClassifier(nn.Module):
          \"""Global average pooling, then pooled @ W^T + bias, W stored (K, C, 1, 1) (spec 6.4).

          live_in >= 0 (a rejuvenated network): survivor logits from features [0, live_in) and new
          logits from the others, each set with the other features zeroed and with the bias; the
          network's logits are their sum.
          \"""

          def __init__(self, cin, classes, live_in=-1):
              super().__init__()
              self.weight = nn.Parameter(torch.zeros(classes, cin, 1, 1))
              self.bias = nn.Parameter(torch.zeros(classes))
              self.live_in = live_in

          def paths(self, x):
              f = x.mean(dim=(2, 3))
              w = self.weight.flatten(1)
              if self.live_in < 0:
                  return F.linear(f, w, self.bias), None
              survivor = (torch.arange(f.shape[1], device=f.device) < self.live_in).to(f.dtype)
              return F.linear(f * survivor, w, self.bias), F.linear(f * (1 - survivor), w, self.bias)

          def forward(self, x):
              s, n = self.paths(x)
              return s if n is None else s + n


      def _add(root, path, module):
          \"""Places module at a dotted path (features.0, stage1.block0.conv1), creating containers.\"""
          *parents, leaf = path.split(".")
          for name in parents:
              if name not in root._modules:
                  root.add_module(name, nn.Module())
              root = root._modules[name]
          root.add_module(leaf, module)


      def load_nrj_checkpoint(path):
          \"""The model tensors of an nrj checkpoint (its optimizer.momentum.* buffers left out).\"""
          from safetensors.torch import load_file

          return {k: v for k, v in load_file(path).items() if not k.startswith("optimizer.")}
      """;
}
