package io.nrj.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrSettings;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.Shape;
import io.nrj.dsl.ir.Widths;
import io.nrj.processor.inmemory.InMemoryCompiler;
import io.nrj.runtime.Backend;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.HostTensor;
import io.nrj.runtime.cpu.CpuBackend;
import io.nrj.runtime.model.GraphNetwork;
import io.nrj.runtime.nr.MixedLayout;
import io.nrj.runtime.model.TrainableNetwork;
import io.nrj.runtime.train.Sgd;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A generated trainer (compiled in memory, the {@code nrj train} path) against the runtime's
 * {@link GraphNetwork}, which interprets the same IR: same seed, same batch, so logits, loss,
 * every gradient and the weights after an SGD step must agree exactly (both run the same layer
 * code in the same order; only the wiring differs).
 */
class GeneratedVsGraphNetworkTest {
  /** Hand-built IR, and the same kinds of network compiled from the test specs by the DSL. */
  static Stream<NetworkIr> networks() throws Exception {
    return Stream.of(
        IrFixtures.lenet5(), IrFixtures.tinyResnet(), fromSpec("lenet5.nr", "lenet5"),
        fromSpec("tiny_resnet.nr", "tiny_resnet"));
  }

  static NetworkIr fromSpec(String file, String network) throws Exception {
    try (var in = GeneratedVsGraphNetworkTest.class.getResourceAsStream("/specs/" + file)) {
      String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      io.nrj.dsl.CompileResult r = io.nrj.dsl.NrCompiler.compile(file, text);
      if (!r.ok()) throw new IllegalStateException(file + " does not compile: " + r.diagnostics());
      return r.module().network(network).orElseThrow();
    }
  }

  /** Compiled trainer classes by network name: javac runs once per network, not per test. */
  private static final Map<NetworkIr, Class<?>> COMPILED = new ConcurrentHashMap<>();

  static TrainableNetwork generated(Backend backend, NetworkIr ir, long seed) throws Exception {
    Class<?> type =
        COMPILED.computeIfAbsent(
            ir,
            key ->
                InMemoryCompiler.compileTrainer(
                        IrFixtures.module(ir, null), ir.name(), null,
                        GeneratedVsGraphNetworkTest.class.getClassLoader())
                    .trainerClass());
    return (TrainableNetwork)
        type.getConstructor(Backend.class, NetworkIr.class, long.class).newInstance(backend, ir, seed);
  }

  private static float[] batch(NetworkIr ir, int n, long seed) {
    Random rng = new Random(seed);
    float[] x = new float[n * (int) ir.input().size()];
    for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
    return x;
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("networks")
  void forwardBackwardAndStepMatchGraphNetwork(NetworkIr ir) throws Exception {
    int n = 3;
    float[] x = batch(ir, n, 11);
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) labels[i] = i % ir.classes();
    ScheduleIr.Sgd config = new ScheduleIr.Sgd(0.1, 0.9, 1e-4);
    try (Backend backend = new CpuBackend(1, false);
        TrainableNetwork gen = generated(backend, ir, 5);
        TrainableNetwork ref = new GraphNetwork(backend, ir, 5);
        Sgd genSgd = new Sgd(backend, gen.parameters(), config);
        Sgd refSgd = new Sgd(backend, ref.parameters(), config)) {
      for (TrainableNetwork net : new TrainableNetwork[] {gen, ref}) {
        backend.upload(net.input(n), x);
        net.forward(n, true);
      }
      assertArrayEquals(ref.logits(), gen.logits(), "logits of " + ir.name());
      assertEquals(ref.loss(labels), gen.loss(labels), "loss of " + ir.name());
      ref.backward();
      gen.backward();
      float[] refGrads = backend.download(ref.parameters().gradBlock());
      assertArrayEquals(refGrads, backend.download(gen.parameters().gradBlock()), "gradients");
      assertNotEquals(0f, maxAbs(refGrads), "gradients are all zero: the test would prove nothing");
      refSgd.step(0.1, 1e-4, c -> !c.fixed());
      genSgd.step(0.1, 1e-4, c -> !c.fixed());
      assertArrayEquals(
          backend.download(ref.parameters().paramBlock()),
          backend.download(gen.parameters().paramBlock()),
          "weights after one step");
    }
  }

  @Test
  void replansForNewWidths() throws Exception {
    NetworkIr ir = IrFixtures.tinyResnet();
    Widths narrower = new Widths(new int[] {5, 3, 5});
    try (Backend backend = new CpuBackend(1, false);
        TrainableNetwork gen = generated(backend, ir, 1);
        TrainableNetwork ref = new GraphNetwork(backend, ir, 1)) {
      HostParams params = narrowed(ref.exportParams(), ir, narrower);
      ref.replan(narrower, null, params);
      gen.replan(narrower, null, params);
      float[] x = batch(ir, 2, 3);
      for (TrainableNetwork net : new TrainableNetwork[] {gen, ref}) {
        backend.upload(net.input(2), x);
        net.forward(2, true);
      }
      assertEquals(ref.parameters().paramCount(), gen.parameters().paramCount());
      assertArrayEquals(ref.logits(), gen.logits());
    }
  }

  /**
   * After a rejuvenation the layers run mixed (spec §6): split convs with cross-attention and a
   * classifier with survivor and new sets. The generated createLayers must hand the runtime the same
   * splits as GraphNetwork, so losses and gradients agree exactly.
   */
  @Test
  void matchesGraphNetworkInMixedTrainingAfterRejuvenation() throws Exception {
    NetworkIr ir = IrFixtures.tinyResnet();
    Widths widths = new Widths(new int[] {5, 3, 5});
    MixedLayout layout =
        new MixedLayout(
            List.of(
                new MixedLayout.ConvSplit(3, 4, false, false),
                new MixedLayout.ConvSplit(4, 2, true, false),
                new MixedLayout.ConvSplit(2, 4, true, false)),
            8, NrSettings.CrossMode.ATTENTION);
    int n = 2;
    int[] labels = {1, 3};
    float[] x = batch(ir, n, 4);
    try (Backend backend = new CpuBackend(1, false);
        TrainableNetwork gen = generated(backend, ir, 2);
        TrainableNetwork ref = new GraphNetwork(backend, ir, 2)) {
      HostParams params = narrowed(ref.exportParams(), ir, widths);
      ref.replan(widths, layout, params);
      gen.replan(widths, layout, params);
      double[] losses = new double[2];
      int i = 0;
      for (TrainableNetwork net : new TrainableNetwork[] {gen, ref}) {
        backend.upload(net.input(n), x);
        net.forward(n, true);
        losses[i++] = net.loss(labels);
        net.backward();
      }
      assertEquals(losses[1], losses[0], "mixed loss");
      assertNotNull(ref.newLogits(), "the classifier should be mixed: the test would prove less");
      assertArrayEquals(ref.newLogits(), gen.newLogits(), "new-set logits");
      assertArrayEquals(
          backend.download(ref.parameters().gradBlock()),
          backend.download(gen.parameters().gradBlock()),
          "mixed gradients");
    }
  }

  @Test
  void rejectsAnotherNetworksIr() throws Exception {
    try (Backend backend = new CpuBackend(1, false)) {
      InvocationTargetException e =
          assertThrows(
              InvocationTargetException.class,
              () -> generatedFor(IrFixtures.lenet5(), backend, IrFixtures.tinyResnet()));
      assertEquals(
          "Lenet5Trainer was generated for network lenet5, not for tiny_resnet",
          e.getCause().getMessage());
    }
  }

  /** Lenet5Trainer's constructor given another network's IR. */
  private static void generatedFor(NetworkIr generatedFrom, Backend backend, NetworkIr other)
      throws Exception {
    generated(backend, generatedFrom, 1).close();
    COMPILED.get(generatedFrom)
        .getConstructor(Backend.class, NetworkIr.class, long.class)
        .newInstance(backend, other, 1L);
  }

  /** The leading channels of every tensor of {@code declared}, cut to the shapes at {@code widths}. */
  private static HostParams narrowed(HostParams declared, NetworkIr ir, Widths widths) {
    Shape[] shapes = ir.shapes(widths);
    HostParams out = new HostParams();
    for (IrNode node : ir.nodes()) {
      int in = node.inputs().getFirst();
      int inC = in == IrNode.IMAGE ? ir.input().channels() : shapes[in].channels();
      String p = node.name();
      switch (node) {
        case IrNode.Conv c -> {
          int o = widths.get(c.convIndex());
          out.put(p + ".conv.weight", cut(declared.get(p + ".conv.weight"), o, inC, c.kernel(), c.kernel()));
          for (String s : List.of(".bn.weight", ".bn.bias", ".bn.running_mean", ".bn.running_var")) {
            out.put(p + s, cut(declared.get(p + s), o));
          }
        }
        case IrNode.Classifier c -> {
          out.put(p + ".weight", cut(declared.get(p + ".weight"), c.classes(), inC, 1, 1));
          out.put(p + ".bias", declared.get(p + ".bias"));
        }
        default -> {}
      }
    }
    return out;
  }

  /** The leading block of {@code t} of the given shape (same rank). */
  private static HostTensor cut(HostTensor t, int... shape) {
    HostTensor r = HostTensor.zeros(shape);
    int[] from = t.shape();
    int[] idx = new int[shape.length];
    for (int i = 0; i < r.numel(); i++) {
      int rem = i;
      for (int d = shape.length - 1; d >= 0; d--) {
        idx[d] = rem % shape[d];
        rem /= shape[d];
      }
      int src = 0;
      for (int d = 0; d < from.length; d++) src = src * from[d] + idx[d];
      r.data()[i] = t.data()[src];
    }
    return r;
  }

  private static float maxAbs(float[] v) {
    float m = 0;
    for (float f : v) m = Math.max(m, Math.abs(f));
    return m;
  }
}
