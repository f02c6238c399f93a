package io.nrj.runtime.model;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.dsl.ir.Shape;
import io.nrj.dsl.ir.Widths;
import io.nrj.runtime.Backend;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.HostTensor;
import io.nrj.runtime.Tensor;
import io.nrj.runtime.nr.MixedChannels;
import io.nrj.runtime.nr.MixedLayout;
import io.nrj.runtime.nr.MixedLayout.ConvSplit;
import io.nrj.runtime.nr.Surgery;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The machinery shared by every {@link TrainableNetwork}: the contiguous parameter and gradient
 * blocks, activation planning per batch size, initialisation, import/export and re-planning after
 * rejuvenation. Subclasses only say which layers exist ({@link #createLayers()}) and how data flows
 * between them ({@link #forwardLayers}); {@link GraphNetwork} does it by walking the IR, generated
 * trainers with straight-line code.
 *
 * <p>A subclass constructor must end with {@link #start(long)}. Its layer fields are assigned in
 * {@code createLayers()}, which runs again at every {@link #replan}.
 */
public abstract class LayerNetwork implements TrainableNetwork {
  private final Backend backend;
  private final NetworkIr ir;
  private final ActivationArena arena;
  private Widths widths;
  private MixedLayout layout;
  private Shape[] shapes;
  private MixedChannels channels; // the [survivors | new] split at widths and layout
  private List<Layer> layers = List.of();
  private ParameterStore store;
  private int plannedN = -1;
  private Activation image;
  private ClassifierLayer classifier;
  private MemoryPlan memoryPlan; // for the current layers
  private long generation; // layers rebuilt (with ActivationArena.generation(): planGeneration)

  protected LayerNetwork(Backend backend, NetworkIr ir) {
    this.backend = backend;
    this.ir = ir;
    this.arena = new ActivationArena(backend);
  }

  /** Builds the layers at the IR's declared widths and initialises them from {@code seed} (§8.1). */
  protected final void start(long seed) {
    build(ir.widths(), null);
    importParams(initialParams(seed));
  }

  /**
   * Creates this network's layers for {@link #widths()} and {@link #layout()}, in forward order,
   * the classifier last. Called at start and after every rejuvenation.
   */
  protected abstract List<Layer> createLayers();

  /** Runs every layer's forward from the image to the classifier. */
  protected abstract void forwardLayers(Activation image, boolean train);

  /** Runs every layer's backward; by default in reverse creation order. */
  protected void backwardLayers() {
    for (int i = layers.size() - 1; i >= 0; i--) layers.get(i).backward();
  }

  // ---- helpers for createLayers ----

  /** Output shape of IR node {@code id} at the current widths; the image's shape for IMAGE. */
  protected final Shape shape(int id) {
    return id == IrNode.IMAGE ? ir.input() : shapes[id];
  }

  /** The split of conv {@code convIndex}, or null before rejuvenation. */
  protected final ConvSplit split(int convIndex) {
    return layout == null ? null : layout.convs().get(convIndex);
  }

  /**
   * The runs of input channels concatenation {@code id}'s output is made of, in output order:
   * plain input order before rejuvenation, [survivor parts | new parts] after (spec §5.3).
   */
  protected final List<MixedChannels.Run> concatOrder(int id) {
    return channels.concatOrder((IrNode.Concat) ir.nodes().get(id));
  }

  /** The cross mode after rejuvenation (null before). */
  protected final CrossMode cross() {
    return layout == null ? null : layout.cross();
  }

  /** The layer for IR node {@code id} at the current widths and layout. */
  protected final Layer layerFor(IrNode node) {
    Shape in = node.inputs().isEmpty() ? null : shape(node.inputs().getFirst());
    return switch (node) {
      case IrNode.Conv c ->
          new ConvBnLayer(c, in.channels(), widths.get(c.convIndex()), split(c.convIndex()), cross());
      case IrNode.Relu r -> new ReluLayer(r.name(), in);
      case IrNode.MaxPool p -> new MaxPoolLayer(p.name(), in, p.kernel(), p.stride(), p.pad());
      case IrNode.AvgPool p -> new AvgPoolLayer(p.name(), in, p.kernel(), p.stride(), p.pad());
      case IrNode.Add a -> new AddLayer(a.name(), shape(a.id()));
      case IrNode.Concat c -> new ConcatLayer(c.name(), shape(c.id()), concatOrder(c.id()));
      case IrNode.Classifier c ->
          new ClassifierLayer(c.name(), in, c.classes(), layout == null ? -1 : layout.classifierLiveIn());
    };
  }

  // ---- TrainableNetwork ----

  @Override
  public final NetworkIr ir() {
    return ir;
  }

  @Override
  public final Backend backend() {
    return backend;
  }

  @Override
  public final Widths widths() {
    return widths;
  }

  @Override
  public final MixedLayout layout() {
    return layout;
  }

  /** The layers in forward order. */
  public final List<Layer> layers() {
    return layers;
  }

  private void build(Widths widths, MixedLayout layout) {
    for (Layer l : layers) l.close();
    if (store != null) store.close();
    this.widths = widths;
    this.layout = layout;
    this.shapes = ir.shapes(widths);
    this.channels = MixedChannels.of(ir, widths, layout);
    this.layers = List.copyOf(createLayers());
    this.memoryPlan = null;
    generation += 1L << 32;
    if (!(layers.getLast() instanceof ClassifierLayer c)) {
      throw new IllegalStateException("the last layer of " + ir.name() + " is not the classifier");
    }
    classifier = c;
    List<ParamSpec> specs = new ArrayList<>();
    for (Layer l : layers) specs.addAll(l.params());
    store = new ParameterStore(backend, specs);
    for (Layer l : layers) l.bind(backend, store);
    plannedN = -1;
  }

  private void plan(int n) {
    if (n == plannedN) return;
    if (n <= 0) throw new IllegalArgumentException("batch size " + n);
    if (memoryPlan == null) memoryPlan = MemoryPlan.of(ir, layers, backend.supportsReluMaskInPlace());
    for (boolean measuring : new boolean[] {true, false}) {
      arena.begin(measuring, memoryPlan, layers.size());
      image = arena.input(n, ir.input());
      for (int i = 0; i < layers.size(); i++) {
        arena.layer(i);
        layers.get(i).plan(n, arena);
      }
      if (measuring) arena.reserve();
    }
    // a ReLU in place over a residual sum, sharing its gradient buffer, runs inside the sum
    for (Layer l : layers) if (l instanceof AddLayer a) a.reluAfter(false);
    for (int i = 0; i < layers.size(); i++) {
      if (!(layers.get(i) instanceof ReluLayer r)) continue;
      int j = memoryPlan.alias(i);
      boolean fuse = j >= 0 && memoryPlan.gradAlias(i) == j && layers.get(j) instanceof AddLayer;
      r.fuseIntoSum(fuse);
      if (fuse) ((AddLayer) layers.get(j)).reluAfter(true);
    }
    planResidualNorms();
    List<List<Tensor>> unread = arena.firstWrites(false), read = arena.firstWrites(true);
    for (int i = 0; i < layers.size(); i++) {
      Layer l = layers.get(i);
      List<Tensor> zero = new ArrayList<>(unread.get(i));
      if (l.canOverwriteInputGradient() && memoryPlan.shares()) {
        l.overwrite(read.get(i));
      } else {
        l.overwrite(List.of());
        zero.addAll(read.get(i));
      }
      l.zeroBeforeBackward(zero);
    }
    // gradients are zeroed by their first writer from now on, so they must start at zero; a new
    // batch size may also lay them out differently, leaving old values where others now live
    arena.zeroGrads();
    plannedN = n;
  }

  /**
   * A residual sum of two inputs that runs in place over a BN without ReLU (a ResNet block's conv3,
   * the ReLU after the sum fused into it) is computed by that BN instead, in its second pass: max(bn(x)
   * + shortcut, 0) is written once, where BN wrote bn(x) and the sum read it back and wrote it again
   * (two passes over the block's widest tensor saved). Only where the shortcut is computed before
   * the BN runs (not a downsampling block's projection, which comes after conv3). Same bits.
   */
  private void planResidualNorms() {
    for (Layer l : layers) {
      if (l instanceof ConvBnLayer c) c.addResidual(null, false);
      if (l instanceof AddLayer a) a.summedByNorm(false);
    }
    if (!fuseResidualNorms) return;
    for (int i = 0; i < layers.size(); i++) {
      if (!(layers.get(i) instanceof AddLayer a)) continue;
      int j = memoryPlan.alias(i);
      int[] ins = memoryPlan.inputs(i);
      if (j < 0 || ins.length != 2 || !(layers.get(j) instanceof ConvBnLayer c) || !c.canAddResidual()) continue;
      int other = ins[0] == j ? ins[1] : ins[0];
      Activation sum = arena.output(i), branch = arena.output(j), shortcut = other < 0 ? image : arena.output(other);
      if (other >= j || sum == null || branch == null || shortcut == null || sum.value() != branch.value()) continue;
      c.addResidual(shortcut, a.reluAfter());
      a.summedByNorm(true);
    }
  }

  /** Tests turn the fusion of {@link #planResidualNorms} off to check that it changes no bit. */
  static volatile boolean fuseResidualNorms = true;

  /** Fresh values of every tensor from {@code seed} (spec §8.1), in forward order. */
  public final HostParams initialParams(long seed) {
    Random rng = new Random(seed);
    HostParams p = new HostParams();
    for (Layer l : layers) l.initialise(rng, ir.init(), p);
    return p;
  }

  @Override
  public final Tensor input(int n) {
    plan(n);
    return image.value();
  }

  @Override
  public final void forward(int n, boolean train) {
    plan(n);
    forwardLayers(image, train);
  }

  @Override
  public final double loss(int[] labels) {
    return classifier.loss(labels);
  }

  @Override
  public final Tensor labels(int n) {
    plan(n);
    return classifier.labels();
  }

  @Override
  public final void lossOnDevice() {
    classifier.lossOnDevice();
  }

  @Override
  public final double lossFromDevice() {
    return classifier.lossFromDevice();
  }

  @Override
  public final long planGeneration() {
    return generation + arena.generation();
  }

  @Override
  public final void replayedTrainingStep() {
    for (Layer l : layers) l.replayedTrainingStep();
  }

  @Override
  public final double survivorLoss() {
    return classifier.survivorLoss();
  }

  @Override
  public final float[] logits() {
    return classifier.logits();
  }

  @Override
  public final float[] survivorLogits() {
    return classifier.survivorLogits();
  }

  @Override
  public final float[] newLogits() {
    return classifier.newLogits();
  }

  @Override
  public final void backward() {
    if (store.gradBlock() != null) backend.fill(store.gradBlock(), 0f);
    backwardLayers(); // each activation gradient is zeroed by its first writer (MemoryPlan)
  }

  @Override
  public final ParameterStore parameters() {
    return store;
  }

  @Override
  public final HostParams exportParams(Predicate<String> which) {
    HostParams out = new HostParams();
    for (Layer l : layers) {
      for (ParamSpec s : l.params()) {
        if (which.test(s.name())) {
          out.put(s.name(), new HostTensor(s.shape().clone(), backend.download(store.get(s.name()).value())));
        }
      }
      HostParams state = new HostParams();
      l.exportState(state);
      for (var e : state.asMap().entrySet()) if (which.test(e.getKey())) out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  @Override
  public final void importParams(HostParams params) {
    Set<String> expected = new HashSet<>();
    for (Parameter p : store.all()) {
      expected.add(p.name());
      if (!params.contains(p.name())) {
        throw new IllegalArgumentException("no tensor '" + p.name() + "' for network " + ir.name() + " at widths " + widths);
      }
      HostTensor t = params.get(p.name());
      checkShape(p, t.shape());
      backend.upload(p.value(), t.data());
    }
    for (String name : params.asMap().keySet()) {
      if (!expected.contains(name) && !name.endsWith(".num_batches_tracked")) {
        throw new IllegalArgumentException("unexpected tensor '" + name + "' for network " + ir.name());
      }
    }
    for (Layer l : layers) l.importState(params);
  }

  @Override
  public final void replan(Widths widths, MixedLayout layout, HostParams params) {
    build(widths, layout);
    importParams(params);
    backend.replan();
  }

  @Override
  public final void rejuvenate(Widths widths, MixedLayout layout, Surgery surgery) {
    HostParams state = new HostParams(); // host-side layer state (num_batches_tracked)
    for (Layer l : layers) l.exportState(state);
    ParameterStore old = store;
    store = null; // kept open for the copies below; build() would close it
    try {
      build(widths, layout);
      for (Parameter p : store.all()) {
        HostTensor fresh = surgery.freshOrNull(p.name());
        if (fresh != null) {
          checkShape(p, fresh.shape());
          backend.upload(p.value(), fresh.data());
        } else {
          Parameter before = old.byName().get(p.name());
          if (before == null) {
            throw new IllegalArgumentException("rejuvenation gives no tensor '" + p.name() + "' for network " + ir.name());
          }
          checkShape(p, before.shape());
          backend.copy(before.value(), p.value());
        }
      }
      for (Surgery.Survivors s : surgery.survivors()) {
        // (rows, cols, inner) views: conv weights (O, I, k·k), classifier (K, C, 1), BN vectors (C, 1, 1)
        backend.gatherBlock(
            old.get(s.name()).value(), s.oldCols(), store.get(s.name()).value(), s.newCols(), s.inner(), s.rows(), s.cols());
      }
    } finally {
      old.close();
    }
    for (var e : surgery.fresh().asMap().entrySet()) {
      if (e.getValue().shape().length == 0) state.put(e.getKey(), e.getValue()); // counters restart at 0
    }
    for (Layer l : layers) l.importState(state);
    backend.replan();
  }

  private void checkShape(Parameter p, int[] shape) {
    if (!Arrays.equals(shape, p.shape())) {
      throw new IllegalArgumentException(
          "tensor '" + p.name() + "' has shape " + Arrays.toString(shape) + ", network " + ir.name() + " needs "
              + Arrays.toString(p.shape()));
    }
  }

  @Override
  public final long deviceBytes() {
    return store.bytes() + arena.bytes();
  }

  @Override
  public void close() {
    for (Layer l : layers) l.close();
    if (store != null) store.close();
    arena.close();
  }
}
