package io.nrj.dsl.resolve;

import io.nrj.dsl.Counter;
import io.nrj.dsl.Diagnostics;
import io.nrj.dsl.Message;
import io.nrj.dsl.SourceLocation;
import io.nrj.dsl.ast.Definition.BlockDef;
import io.nrj.dsl.ast.Definition.NetworkDef;
import io.nrj.dsl.ast.Expression;
import io.nrj.dsl.ast.Label;
import io.nrj.dsl.ast.Reference;
import io.nrj.dsl.ast.Statement;
import io.nrj.dsl.ast.Statement.OptionKind;
import io.nrj.dsl.ir.InitScheme;
import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.Shape;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resolves one network definition to IR: expands block calls and repeats, evaluates expressions,
 * infers every shape, names every node and infers the {@code fixed} and {@code input} roles. The first error that
 * affects shapes stops this network ({@link Abort}); the caller goes on with the next definition.
 *
 * <p>Naming (deterministic, survives printing): a layer's name is its label, or its index in the
 * enclosing sequence, joined to the sequence's path with dots. The network body's unlabelled layers
 * are {@code features.N}, its labelled ones just the label; a block call or a labelled
 * {@code repeat} opens a new sequence named by its own path ({@code layer2.0.conv1}). Residual,
 * dense and unlabelled repeat bodies are transparent: their layers belong to the enclosing
 * sequence. An inferred projection is named {@code downsample}; an unlabelled classifier
 * {@code classifier}.
 */
final class NetworkResolver {
  private final NetworkDef def;
  private final Map<String, BlockDef> blocks;
  private final Diagnostics diagnostics;
  private final Expressions expressions;

  private Shape input;
  private final List<IrNode> nodes = new ArrayList<>();
  private final Map<String, Integer> byName = new HashMap<>();
  private final Deque<String> callStack = new ArrayDeque<>();
  private int convCount;
  private int current = IrNode.IMAGE;
  private boolean classifierSeen;
  private int classes;
  private long steps;

  private final Set<String> called;

  /** {@code called} collects the names of the blocks this network calls. */
  NetworkResolver(NetworkDef def, Map<String, BlockDef> blocks, Set<String> called, Diagnostics diagnostics) {
    this.def = def;
    this.blocks = blocks;
    this.called = called;
    this.diagnostics = diagnostics;
    this.expressions = new Expressions(diagnostics);
  }

  /** The resolved network, or null when errors were reported. */
  NetworkIr resolve() {
    int errorsBefore = diagnostics.errorCount();
    try {
      NetworkHeader header = new NetworkHeader(def, diagnostics, expressions);
      InitScheme init = header.resolve();
      input = header.input();
      classes = header.classes();
      exec(def.body(), Map.of(), new Scope("features", ""));
      if (!classifierSeen) {
        diagnostics.report(Message.MISSING_CLASSIFIER, def.name().location(), def.name().value());
        return null;
      }
      NetworkIr ir =
          new NetworkIr(def.name().value(), input, classes, inferRoles(), init, def.name().location());
      checkCountsFit(ir);
      return diagnostics.errorCount() == errorsBefore ? ir : null;
    } catch (Abort a) {
      return null;
    }
  }

  // ---- statements

  private void exec(List<Statement> body, Map<String, Long> env, Scope scope) {
    for (Statement s : body) {
      if (++steps > Limits.MAX_STEPS) tooLarge(s.location(), "more than " + Limits.MAX_STEPS + " layer statements to expand");
      switch (s) {
        case Statement.Conv c -> conv(c, env, scope);
        case Statement.Pool p -> pool(p, env, scope);
        case Statement.Relu r -> {
          String name = scope.next(r.label());
          int in = source(r.source());
          current = add(new IrNode.Relu(nodes.size(), name, List.of(in), shape(in), r.location()), name);
        }
        case Statement.Residual r -> residual(r, env, scope);
        case Statement.Dense d -> dense(d, env, scope);
        case Statement.Repeat r -> repeat(r, env, scope);
        case Statement.Join j -> join(j, scope);
        case Statement.Classifier c -> classifier(c, scope);
        case Statement.Call c -> call(c, env, scope);
      }
    }
  }

  private void conv(Statement.Conv c, Map<String, Long> env, Scope scope) {
    Map<OptionKind, Statement.Option> o = options(c.options());
    int width = size(eval(c.width(), env), "conv width", Limits.MAX_CHANNELS, c.width().location());
    Statement.Option kernelOption = o.get(OptionKind.KERNEL);
    if (kernelOption == null) {
      diagnostics.report(Message.MISSING_KERNEL, c.location());
      throw new Abort();
    }
    int k = size(eval(kernelOption.value(), env), "kernel size", Limits.MAX_SPATIAL, kernelOption.location());
    int stride = intOption(o, OptionKind.STRIDE, env, 1, 1, "stride");
    int pad = intOption(o, OptionKind.PAD, env, (k - 1) / 2, 0, "pad");
    String name = scope.next(c.label());
    int in = o.containsKey(OptionKind.FROM) ? source(o.get(OptionKind.FROM).source()) : current;
    boolean isInput = o.containsKey(OptionKind.INPUT);
    if (isInput && in != IrNode.IMAGE) {
      diagnostics.report(
          Message.FLAG_CONFLICT,
          o.get(OptionKind.INPUT).location(),
          "'input' marks the conv that reads the image, but '" + name + "' reads '" + nodes.get(in).name() + "'");
    }
    Shape inShape = shape(in);
    int h = outSize(inShape.height(), inShape, k, stride, pad, "conv kernel", name, kernelOption.location());
    int w = outSize(inShape.width(), inShape, k, stride, pad, "conv kernel", name, kernelOption.location());
    IrNode.Conv node =
        new IrNode.Conv(
            nodes.size(), name, List.of(in), inShape, new Shape(width, h, w), convCount, k, stride, pad,
            !o.containsKey(OptionKind.NORELU), isInput, o.containsKey(OptionKind.FIXED),
            o.containsKey(OptionKind.SPLIT), c.location());
    current = add(node, name);
    convCount++;
  }

  private void pool(Statement.Pool p, Map<String, Long> env, Scope scope) {
    Map<OptionKind, Statement.Option> o = options(p.options());
    String kind = p.max() ? "maxpool" : "avgpool";
    int k = size(eval(p.window(), env), kind + " window", Limits.MAX_SPATIAL, p.window().location());
    int stride = intOption(o, OptionKind.STRIDE, env, k, 1, "stride");
    int pad = intOption(o, OptionKind.PAD, env, 0, 0, "pad");
    if (2 * pad > k) {
      diagnostics.report(Message.POOL_PAD_TOO_LARGE, o.get(OptionKind.PAD).location(), pad, k);
      throw new Abort();
    }
    String name = scope.next(p.label());
    int in = o.containsKey(OptionKind.FROM) ? source(o.get(OptionKind.FROM).source()) : current;
    Shape s = shape(in);
    Shape out =
        new Shape(
            s.channels(),
            outSize(s.height(), s, k, stride, pad, kind + " window", name, p.window().location()),
            outSize(s.width(), s, k, stride, pad, kind + " window", name, p.window().location()));
    int id = nodes.size();
    IrNode node =
        p.max()
            ? new IrNode.MaxPool(id, name, List.of(in), out, k, stride, pad, p.location())
            : new IrNode.AvgPool(id, name, List.of(in), out, k, stride, pad, p.location());
    current = add(node, name);
  }

  private void residual(Statement.Residual r, Map<String, Long> env, Scope scope) {
    String name = scope.next(r.label());
    if (r.branch().isEmpty()) emptyBranch("residual", r.location());
    int in = current;
    exec(r.branch(), env, scope);
    int branch = current;
    int shortcut = in;
    if (r.shortcut() != null) {
      if (r.shortcut().isEmpty()) emptyBranch("shortcut", r.location());
      current = in;
      exec(r.shortcut(), env, scope);
      shortcut = current;
    } else if (r.project() && !shape(branch).equals(shape(in))) {
      shortcut = projection(in, shape(branch), name, scope, r.location());
    }
    Shape b = shape(branch);
    Shape s = shape(shortcut);
    if (b.channels() != s.channels()) {
      diagnostics.report(Message.RESIDUAL_CHANNEL_MISMATCH, r.location(), name, b, s);
      throw new Abort();
    }
    if (b.height() != s.height() || b.width() != s.width()) {
      diagnostics.report(Message.RESIDUAL_SPATIAL_MISMATCH, r.location(), name, b, s);
      throw new Abort();
    }
    current = add(new IrNode.Add(nodes.size(), name, List.of(branch, shortcut), b, r.location()), name);
  }

  /** The 1x1 projection shortcut (fixed, no ReLU) that maps {@code in} onto the branch's shape. */
  private int projection(int in, Shape target, String sumName, Scope scope, SourceLocation at) {
    Shape s = shape(in);
    int stride = s.height() / target.height();
    if (stride < 1
        || (s.height() - 1) / stride + 1 != target.height()
        || (s.width() - 1) / stride + 1 != target.width()) {
      diagnostics.report(Message.PROJECTION_STRIDE, at, s, target, sumName);
      throw new Abort();
    }
    String name = scope.next(new Label("downsample", at));
    IrNode.Conv conv =
        new IrNode.Conv(
            nodes.size(), name, List.of(in), s, target, convCount, 1, stride, 0, false, false, true, false, at);
    int id = add(conv, name);
    convCount++;
    return id;
  }

  private void dense(Statement.Dense d, Map<String, Long> env, Scope scope) {
    String name = scope.next(d.label());
    if (d.branch().isEmpty()) emptyBranch("dense", d.location());
    int in = current;
    exec(d.branch(), env, scope);
    current = concat(name, List.of(in, current), d.location());
  }

  private int concat(String name, List<Integer> inputs, SourceLocation at) {
    Shape first = shape(inputs.getFirst());
    long channels = 0;
    for (int i : inputs) {
      Shape s = shape(i);
      if (s.height() != first.height() || s.width() != first.width()) {
        diagnostics.report(Message.CONCAT_SPATIAL_MISMATCH, at, name, first, s);
        throw new Abort();
      }
      channels += s.channels();
    }
    int c = size(channels, "concatenated channels", Limits.MAX_CHANNELS, at);
    return add(new IrNode.Concat(nodes.size(), name, inputs, first.withChannels(c), at), name);
  }

  private void repeat(Statement.Repeat r, Map<String, Long> env, Scope scope) {
    int count = size(eval(r.count(), env), "repeat count", Limits.MAX_NODES, r.count().location());
    Scope body = r.label() == null ? scope : scope.child(scope.next(r.label()));
    for (int i = 0; i < count; i++) {
      if (++steps > Limits.MAX_STEPS) tooLarge(r.location(), "more than " + Limits.MAX_STEPS + " layer statements to expand");
      exec(r.body(), env, body);
    }
  }

  private void join(Statement.Join j, Scope scope) {
    String name = scope.next(j.label());
    List<Integer> inputs = new ArrayList<>();
    for (Reference ref : j.inputs()) inputs.add(source(ref));
    if (!j.add()) {
      current = concat(name, inputs, j.location());
      return;
    }
    Shape first = shape(inputs.getFirst());
    for (int i : inputs.subList(1, inputs.size())) {
      Shape s = shape(i);
      if (s.channels() != first.channels()) {
        diagnostics.report(Message.RESIDUAL_CHANNEL_MISMATCH, j.location(), name, first, s);
        throw new Abort();
      }
      if (!s.equals(first)) {
        diagnostics.report(Message.RESIDUAL_SPATIAL_MISMATCH, j.location(), name, first, s);
        throw new Abort();
      }
    }
    current = add(new IrNode.Add(nodes.size(), name, inputs, first, j.location()), name);
  }

  private void classifier(Statement.Classifier c, Scope scope) {
    String name = scope.next(c.label() != null ? c.label() : new Label("classifier", c.location()));
    int in = source(c.source());
    IrNode.Classifier node =
        new IrNode.Classifier(nodes.size(), name, List.of(in), shape(in), new Shape(classes, 1, 1), classes, c.location());
    current = add(node, name);
    classifierSeen = true;
  }

  private void call(Statement.Call c, Map<String, Long> env, Scope scope) {
    String blockName = c.block().value();
    BlockDef block = blocks.get(blockName);
    if (block == null) {
      List<String> candidates = new ArrayList<>(blocks.keySet());
      candidates.addAll(List.of("conv", "maxpool", "avgpool", "relu", "residual", "dense", "repeat", "classifier"));
      diagnostics.reportUnknown(Message.UNKNOWN_BLOCK, c.block().location(), blockName, candidates, null);
      throw new Abort();
    }
    called.add(blockName);
    if (callStack.contains(blockName)) {
      List<String> cycle = new ArrayList<>(callStack.reversed());
      cycle = cycle.subList(cycle.indexOf(blockName), cycle.size());
      cycle.add(blockName);
      diagnostics.report(Message.RECURSIVE_BLOCK, c.block().location(), String.join(" -> ", cycle));
      throw new Abort();
    }
    if (callStack.size() >= Limits.MAX_CALL_DEPTH) {
      diagnostics.report(Message.CALLS_TOO_DEEP, c.block().location(), Limits.MAX_CALL_DEPTH, blockName);
      throw new Abort();
    }
    Map<String, Long> bound = new Arguments(diagnostics, expressions, this::inputChannels).bind(block, c, env);
    Scope inner = scope.child(scope.next(c.label()));
    callStack.push(blockName);
    exec(block.body(), bound, inner);
    callStack.pop();
  }

  // ---- helpers

  private Map<OptionKind, Statement.Option> options(List<Statement.Option> options) {
    Map<OptionKind, Statement.Option> map = new EnumMap<>(OptionKind.class);
    for (Statement.Option o : options) {
      if (map.putIfAbsent(o.kind(), o) != null) {
        diagnostics.report(Message.DUPLICATE_OPTION, o.location(), o.kind().keyword());
      }
    }
    return map;
  }

  private int intOption(
      Map<OptionKind, Statement.Option> o, OptionKind kind, Map<String, Long> env, int dflt, int min, String what) {
    Statement.Option option = o.get(kind);
    if (option == null) return dflt;
    long v = eval(option.value(), env);
    if (v < min) {
      diagnostics.report(Message.NON_POSITIVE_SIZE, option.value().location(), what, min, v);
      throw new Abort();
    }
    if (v > Limits.MAX_SPATIAL) {
      diagnostics.report(Message.VALUE_TOO_LARGE, option.value().location(), what, Limits.MAX_SPATIAL, Long.toString(v));
      throw new Abort();
    }
    return (int) v;
  }

  /** Output size of a window: floor((size + 2 pad - k) / stride) + 1, or an error when k does not fit. */
  private int outSize(int size, Shape in, int k, int stride, int pad, String what, String name, SourceLocation at) {
    if (size + 2L * pad < k) {
      diagnostics.report(Message.KERNEL_TOO_LARGE, at, what, k, in.height(), in.width(), pad, name);
      throw new Abort();
    }
    return (size + 2 * pad - k) / stride + 1;
  }

  private long eval(Expression e, Map<String, Long> env) {
    return expressions.eval(e, env, this::inputChannels);
  }

  private int inputChannels() {
    return shape(current).channels();
  }

  /** Checks {@code 1 <= value <= max} and narrows it. */
  private int size(long value, String what, long max, SourceLocation at) {
    return Limits.size(diagnostics, value, what, max, at);
  }

  private int source(Reference ref) {
    if (ref == null) return current;
    if (ref.image()) return IrNode.IMAGE;
    Integer id = byName.get(ref.name());
    if (id == null) {
      diagnostics.reportUnknown(Message.UNKNOWN_REFERENCE, ref.location(), ref.name(), byName.keySet(), null);
      throw new Abort();
    }
    return id;
  }

  private Shape shape(int id) {
    return id == IrNode.IMAGE ? input : nodes.get(id).out();
  }

  private int add(IrNode node, String name) {
    if (classifierSeen) {
      diagnostics.report(Message.LAYER_AFTER_CLASSIFIER, node.location(), name);
      throw new Abort();
    }
    if (nodes.size() >= Limits.MAX_NODES) tooLarge(node.location(), "more than " + Limits.MAX_NODES + " layers");
    Integer previous = byName.putIfAbsent(name, node.id());
    if (previous != null) diagnostics.report(Message.DUPLICATE_LAYER_NAME, node.location(), name);
    nodes.add(node);
    return node.id();
  }

  private void emptyBranch(String what, SourceLocation at) {
    diagnostics.report(Message.EMPTY_BRANCH, at, what);
    throw new Abort();
  }

  private void tooLarge(SourceLocation at, String why) {
    diagnostics.report(Message.NETWORK_TOO_LARGE, at, def.name().value(), why);
    throw new Abort();
  }

  /**
   * The NR roles that follow from the graph (spec §3): a conv whose output feeds a residual sum
   * directly keeps a fixed channel identity ({@code fixed}), and a conv that reads the image is an
   * input layer ({@code input}: pruned and expanded on the output side only, its input staying the
   * image's channels). Both may also be written; inferring {@code input} means a first conv written
   * without it is treated exactly as one written with it.
   */
  private List<IrNode> inferRoles() {
    Set<Integer> feedsAdd = new HashSet<>();
    for (IrNode n : nodes) if (n instanceof IrNode.Add a) feedsAdd.addAll(a.inputs());
    List<IrNode> out = new ArrayList<>(nodes.size());
    for (IrNode n : nodes) {
      if (n instanceof IrNode.Conv c) {
        boolean fixed = c.fixed() || feedsAdd.contains(c.id());
        boolean input = c.isInput() || c.inputs().getFirst() == IrNode.IMAGE;
        if (fixed != c.fixed() || input != c.isInput()) {
          n = new IrNode.Conv(
              c.id(), c.name(), c.inputs(), c.in(), c.out(), c.convIndex(), c.kernel(), c.stride(), c.pad(),
              c.relu(), input, fixed, c.splitOutput(), c.location());
        }
      }
      out.add(n);
    }
    return out;
  }

  private void checkCountsFit(NetworkIr ir) {
    try {
      Counter.count(ir);
    } catch (ArithmeticException overflow) {
      tooLarge(def.name().location(), "its parameter or MAC counts overflow 64-bit integers");
    }
  }
}
