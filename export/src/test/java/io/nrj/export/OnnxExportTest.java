package io.nrj.export;

import static io.nrj.export.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.Shape;
import io.nrj.dsl.ir.Widths;
import io.nrj.export.TrainedCheckpoints.Net;
import io.nrj.export.TrainedCheckpoints.Stage;
import io.nrj.export.TrainedCheckpoints.Trained;
import io.nrj.export.onnx.OnnxWriter;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.HostTensor;
import io.nrj.runtime.nr.MixedLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ONNX Runtime runs the exported model of real checkpoints (LeNet-5, a ResNet and a DenseNet, each
 * before rejuvenation, after it with cross connections removed and after it with cross-attention)
 * and its logits equal what {@code nrj eval} computes within 1e-4 of the logits' scale; after
 * rejuvenation the survivor and new logits too. With BN folded (the default) and kept.
 */
@Timeout(300)
class OnnxExportTest {
  static final double REL = 1e-4;
  static final int N = 6;

  static Stream<Arguments> checkpoints() {
    List<Arguments> a = new ArrayList<>();
    for (Net net : Net.values()) for (Stage stage : Stage.values()) for (boolean fold : new boolean[] {true, false}) a.add(Arguments.of(net, stage, fold));
    return a.stream();
  }

  @ParameterizedTest(name = "{0} {1}, fold BN {2}")
  @MethodSource("checkpoints")
  void onnxRuntimeLogitsEqualNrjEval(Net net, Stage stage, boolean fold) throws Exception {
    Trained t = TrainedCheckpoints.get(net, stage);
    checkStage(t);
    InferenceGraph g = InferenceGraphBuilder.build(t.network());
    byte[] model = OnnxWriter.model(g, new OnnxWriter.Options(fold, false)).toByteArray();
    float[] x = TrainedCheckpoints.batch(t.ir(), N, 3);
    Shape in = t.ir().input();
    Map<String, float[]> ort = OnnxRuntime.run(model, OnnxWriter.INPUT, x, N, in.channels(), in.height(), in.width());
    NrjForward nrj = NrjForward.of(t.network(), x, N);
    double err = assertClose(ort.get(OnnxWriter.LOGITS), nrj.logits(), REL, t + " logits");
    if (stage == Stage.BEFORE) {
      assertEquals(List.of(OnnxWriter.LOGITS), List.copyOf(ort.keySet()));
    } else {
      err = Math.max(err, assertClose(ort.get(OnnxWriter.SURVIVOR_LOGITS), nrj.survivor(), REL, t + " survivor logits"));
      err = Math.max(err, assertClose(ort.get(OnnxWriter.NEW_LOGITS), nrj.fresh(), REL, t + " new logits"));
    }
    System.out.printf(java.util.Locale.ROOT, "ONNX Runtime vs nrj, %s, fold BN %s: max error %.2e of the logits' scale%n", t, fold, err);
  }

  /** The checkpoints are what the test says: rejuvenated with split convs, trained cross weights. */
  private static void checkStage(Trained t) {
    MixedLayout l = t.network().layout();
    if (t.stage() == Stage.BEFORE) {
      assertNull(l, t + " must not be rejuvenated");
      return;
    }
    assertTrue(l != null && l.convs().stream().anyMatch(MixedLayout.ConvSplit::split), t + " has no split conv");
    assertEquals(t.stage() == Stage.ATTENTION ? CrossMode.ATTENTION : CrossMode.REMOVED, l.cross());
    if (t.net() == Net.DENSE) {
      // survivor parts before new parts (spec §5.3): the concatenations slice their inputs
      boolean sliced =
          InferenceGraphBuilder.build(t.network()).ops().stream()
              .anyMatch(op -> op instanceof InferenceGraph.Concat c && c.parts().stream().anyMatch(p -> !p.whole()));
      assertTrue(sliced, t + ": no concatenation reorders its inputs' channels");
    }
    if (t.stage() == Stage.ATTENTION) {
      InferenceGraph g = InferenceGraphBuilder.build(t.network());
      boolean trainedCross = false;
      for (InferenceGraph.Op op : g.ops()) {
        if (op instanceof InferenceGraph.Conv c && c.gate() != null) trainedCross |= crossNonZero(c);
      }
      assertTrue(trainedCross, t + ": the cross weights were never trained, the gate would not matter");
    }
  }

  private static boolean crossNonZero(InferenceGraph.Conv c) {
    float[] w = c.weight().data();
    int in = c.in().channels(), kk = c.kernel() * c.kernel();
    for (int o = 0; o < c.out().channels(); o++)
      for (int i = 0; i < in; i++)
        if (!c.gate().diagonal(o, i) && w[(o * in + i) * kk] != 0) return true;
    return false;
  }

  /**
   * A fully dead residual branch deleted at rejuvenation (spec §12 B1): the sum keeps the
   * shortcut alone. Made from the real ResNet checkpoint by deleting block s1's branch, which the
   * runtime then runs as such.
   */
  @Test
  void deletedResidualBranchLeavesTheShortcut() throws Exception {
    Trained t = TrainedCheckpoints.get(Net.RESNET, Stage.ATTENTION);
    TrainedNetwork n = deleting(t.network(), List.of("s1.conv1", "s1.conv2"), null);
    ModelProto m = OnnxWriter.model(InferenceGraphBuilder.build(n), new OnnxWriter.Options(true, false));
    assertEquals(1, m.getGraph().getNodeList().stream().filter(nd -> nd.getOpType().equals("Identity")).count());
    assertEqualsNrj(n, "ResNet without s1's branch");
  }

  /**
   * A deleted dense layer (spec §12 B4): the concatenation drops it. From the real DenseNet
   * checkpoint before rejuvenation, deleting the last dense layer (its 6 channels leave the
   * classifier's input, so its last 6 weight columns go too).
   */
  @Test
  void deletedDenseLayerLeavesTheConcatenation() throws Exception {
    Trained t = TrainedCheckpoints.get(Net.DENSE, Stage.BEFORE);
    List<String> convs = t.ir().convs().stream().map(c -> c.name()).toList();
    List<String> last = convs.subList(convs.size() - 2, convs.size());
    TrainedNetwork n = deleting(t.network(), last, p -> {
      HostTensor w = p.get("classifier.weight");
      int k = w.shape()[0], c = w.shape()[1] - 6;
      float[] d = new float[k * c];
      for (int i = 0; i < k; i++) System.arraycopy(w.data(), i * (c + 6), d, i * c, c);
      p.put("classifier.weight", new HostTensor(new int[] {k, c, 1, 1}, d));
    });
    assertEqualsNrj(n, "DenseNet without its last dense layer");
  }

  private static TrainedNetwork deleting(TrainedNetwork t, List<String> layers, Consumer<HostParams> edit) {
    int[] w = t.widths().toArray();
    List<MixedLayout.ConvSplit> splits = t.layout() == null ? null : new ArrayList<>(t.layout().convs());
    for (var c : t.ir().convs()) {
      if (!layers.contains(c.name())) continue;
      w[c.convIndex()] = 0;
      if (splits != null) splits.set(c.convIndex(), new MixedLayout.ConvSplit(0, 0, false, true));
    }
    HostParams p = t.params().copy();
    for (String name : List.copyOf(p.asMap().keySet())) {
      if (layers.stream().anyMatch(l -> name.startsWith(l + "."))) p.remove(name);
    }
    if (edit != null) edit.accept(p);
    MixedLayout l = splits == null ? null : new MixedLayout(splits, t.layout().classifierLiveIn(), t.layout().cross());
    return new TrainedNetwork(t.checkpoint(), t.ir(), new Widths(w), l, p, t.normalize(), t.epoch());
  }

  private static void assertEqualsNrj(TrainedNetwork n, String label) throws Exception {
    byte[] model = OnnxWriter.model(InferenceGraphBuilder.build(n), new OnnxWriter.Options(true, false)).toByteArray();
    Shape in = n.ir().input();
    float[] x = TrainedCheckpoints.batch(n.ir(), N, 6);
    float[] ort = OnnxRuntime.run(model, OnnxWriter.INPUT, x, N, in.channels(), in.height(), in.width()).get(OnnxWriter.LOGITS);
    assertClose(ort, NrjForward.of(n, x, N).logits(), REL, label);
  }

  @Test
  void batchDimensionIsFree() throws Exception {
    Trained t = TrainedCheckpoints.get(Net.DENSE, Stage.ATTENTION);
    byte[] model = OnnxWriter.model(InferenceGraphBuilder.build(t.network()), new OnnxWriter.Options(true, false)).toByteArray();
    Shape in = t.ir().input();
    for (int n : new int[] {1, 7}) {
      float[] x = TrainedCheckpoints.batch(t.ir(), n, 4);
      float[] ort = OnnxRuntime.run(model, OnnxWriter.INPUT, x, n, in.channels(), in.height(), in.width()).get(OnnxWriter.LOGITS);
      assertClose(ort, NrjForward.of(t.network(), x, n).logits(), REL, "batch " + n);
    }
  }

  @Test
  void withNormalizeTakesPixelsOverTwoFiftyFive() throws Exception {
    Trained t = TrainedCheckpoints.get(Net.RESNET, Stage.REMOVED);
    double[] mean = {0.5, 0.4, 0.3};
    double[] std = {0.25, 0.2, 0.3};
    TrainedNetwork n = withNormalize(t.network(), new ScheduleIr.Normalize(List.of(0.5, 0.4, 0.3), List.of(0.25, 0.2, 0.3)));
    byte[] model = OnnxWriter.model(InferenceGraphBuilder.build(n), new OnnxWriter.Options(true, true)).toByteArray();
    Shape in = t.ir().input();
    int hw = in.height() * in.width();
    float[] pixels = new float[N * (int) in.size()]; // p = pixel / 255 in [0, 1]
    float[] normalised = new float[pixels.length]; // what nrj's data pipeline feeds the network
    java.util.Random r = new java.util.Random(5);
    for (int i = 0; i < pixels.length; i++) {
      int c = (i / hw) % in.channels();
      pixels[i] = r.nextInt(256) / 255f;
      normalised[i] = (float) ((pixels[i] - mean[c]) / std[c]);
    }
    float[] ort = OnnxRuntime.run(model, OnnxWriter.INPUT, pixels, N, in.channels(), in.height(), in.width()).get(OnnxWriter.LOGITS);
    assertClose(ort, NrjForward.of(n, normalised, N).logits(), REL, "baked-in normalisation");
    // Without --with-normalize the same model expects normalised input.
    byte[] plain = OnnxWriter.model(InferenceGraphBuilder.build(n), new OnnxWriter.Options(true, false)).toByteArray();
    float[] ort2 = OnnxRuntime.run(plain, OnnxWriter.INPUT, normalised, N, in.channels(), in.height(), in.width()).get(OnnxWriter.LOGITS);
    assertClose(ort2, NrjForward.of(n, normalised, N).logits(), REL, "normalised input");
  }

  static TrainedNetwork withNormalize(TrainedNetwork t, ScheduleIr.Normalize n) {
    return new TrainedNetwork(t.checkpoint(), t.ir(), t.widths(), t.layout(), t.params(), n, t.epoch());
  }

  @Test
  void foldedModelHasNoBatchNormAndKeptModelHasTheCheckpointTensors() throws Exception {
    Trained t = TrainedCheckpoints.get(Net.RESNET, Stage.ATTENTION);
    InferenceGraph g = InferenceGraphBuilder.build(t.network());
    ModelProto folded = OnnxWriter.model(g, new OnnxWriter.Options(true, false));
    ModelProto kept = OnnxWriter.model(g, new OnnxWriter.Options(false, false));
    assertFalse(folded.getGraph().getNodeList().stream().anyMatch(nd -> nd.getOpType().equals("BatchNormalization")));
    long convs = g.ops().stream().filter(op -> op instanceof InferenceGraph.Conv).count();
    assertEquals(convs, kept.getGraph().getNodeList().stream().filter(nd -> nd.getOpType().equals("BatchNormalization")).count());
    var names = kept.getGraph().getInitializerList().stream().map(i -> i.getName()).toList();
    assertTrue(names.contains("s1.conv1.bn.running_var") && names.contains("classifier.weight"), names.toString());
    assertEquals(OnnxWriter.OPSET, folded.getOpsetImport(0).getVersion());
    var image = folded.getGraph().getInput(0).getType().getTensorType().getShape();
    assertEquals("N", image.getDim(0).getDimParam());
    assertEquals(List.of("Conv", "Conv", "Sigmoid", "Mul", "Add"), ops(folded, "s1.conv2/"));
  }

  private static List<String> ops(ModelProto m, String prefix) {
    return m.getGraph().getNodeList().stream().filter(nd -> nd.getName().startsWith(prefix) && !nd.getName().contains("/bn"))
        .map(NodeProto::getOpType).toList();
  }

  @Test
  void writesTheFileAtomically(@TempDir Path dir) throws Exception {
    Trained t = TrainedCheckpoints.get(Net.LENET5, Stage.BEFORE);
    ModelProto m = OnnxWriter.model(InferenceGraphBuilder.build(t.network()), new OnnxWriter.Options(true, false));
    Path file = dir.resolve("lenet.onnx");
    OnnxWriter.write(m, file);
    assertEquals(m, ModelProto.parseFrom(Files.readAllBytes(file)));
    try (var s = Files.list(dir)) {
      assertEquals(List.of(file), s.toList()); // no temporary file left
    }
  }
}
