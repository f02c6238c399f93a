package io.nrj.export.onnx;

import static io.nrj.export.onnx.OnnxGraph.integer;
import static io.nrj.export.onnx.OnnxGraph.ints;
import static io.nrj.export.onnx.OnnxGraph.real;

import io.nrj.export.ExportException;
import io.nrj.export.InferenceGraph;
import io.nrj.export.InferenceGraph.Normalization;
import io.nrj.runtime.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.StringStringEntryProto;

/**
 * Writes an {@link InferenceGraph} as an ONNX model (opset {@value #OPSET}): input {@value
 * #INPUT} (N, C, H, W) float32 with a free batch dimension N, output {@value #LOGITS} (N, K);
 * a rejuvenated network also outputs {@value #SURVIVOR_LOGITS} and {@value #NEW_LOGITS}, whose sum
 * the logits are (spec §6.4).
 *
 * <p>Per op: an NR conv is a Conv with BatchNorm folded into its weight and bias (or Conv then
 * BatchNormalization when not folding), then Relu; a cross-attention conv is two Convs (diagonal
 * blocks a, cross blocks times 2) joined as a + Sigmoid(a)·(2c), then BN as a per-channel Mul and
 * Add (it cannot fold through the gate) or BatchNormalization; pools are MaxPool and AveragePool
 * (count_include_pad 1, as PyTorch and the runtime count padding); sums chain Add in input order;
 * concatenations are Concat on channels (after rejuvenation of Slices of the inputs: survivor
 * parts, then new parts); the classifier is GlobalAveragePool, Flatten and Gemm.
 * With {@code withNormalize} the model starts with x·(1/std) + (-mean/std), so it takes pixels / 255.
 *
 * <p>It does not write ONNX external data, so models with more than about 2 GB of weights are
 * refused ({@link ExportException}).
 */
public final class OnnxWriter {
  /** The ONNX operator set the models use. */
  public static final int OPSET = 17;

  /** The ONNX IR version that goes with opset 17 (ONNX 1.12). */
  static final long IR_VERSION = 8;

  public static final String INPUT = InferenceGraph.IMAGE;
  public static final String LOGITS = "logits";
  public static final String SURVIVOR_LOGITS = "survivor_logits";
  public static final String NEW_LOGITS = "new_logits";

  // protobuf cannot serialise one message above 2 GiB; leave room for everything but the weights.
  private static final long MAX_INITIALIZER_BYTES = 2_000_000_000L;

  /**
   * @param foldBatchNorm fold each BN into its conv (the inference form); false keeps
   *     BatchNormalization nodes with the checkpoint's tensors
   * @param withNormalize bake the schedule's input normalisation in, so the model takes pixels /
   *     255; a network whose schedule normalises nothing takes pixels / 255 anyway
   */
  public record Options(boolean foldBatchNorm, boolean withNormalize) {}

  private final InferenceGraph g;
  private final Options options;
  private final long maxInitializerBytes;
  private final OnnxGraph onnx;
  private String image; // the value ops read for InferenceGraph.IMAGE

  private OnnxWriter(InferenceGraph g, Options options, long maxInitializerBytes) {
    this.g = g;
    this.options = options;
    this.maxInitializerBytes = maxInitializerBytes;
    this.onnx = new OnnxGraph(g.network(), g.description());
  }

  /**
   * The ONNX model of {@code g}.
   *
   * @throws ExportException when its weights are too large for one ONNX file
   */
  public static ModelProto model(InferenceGraph g, Options options) {
    return model(g, options, MAX_INITIALIZER_BYTES);
  }

  /** {@link #model} with another limit on the weights' bytes (for tests). */
  static ModelProto model(InferenceGraph g, Options options, long maxInitializerBytes) {
    return new OnnxWriter(g, options, maxInitializerBytes).build();
  }

  /** Writes {@code model} to {@code file} atomically (never a half-written file). */
  public static void write(ModelProto model, Path file) throws IOException {
    byte[] bytes = model.toByteArray();
    AtomicFiles.write(file, ch -> AtomicFiles.writeFully(ch, ByteBuffer.wrap(bytes)));
  }

  private ModelProto build() {
    try {
      return buildGraph();
    } catch (OnnxGraph.NameClash e) {
      throw new ExportException(
          g.checkpoint(), "a layer's name clashes with the ONNX value '" + e.name + "' (the model's inputs and outputs"
              + " are '" + INPUT + "', '" + LOGITS + "', '" + SURVIVOR_LOGITS + "' and '" + NEW_LOGITS
              + "'); rename the layer in the .nr source to export for ONNX");
    }
  }

  private ModelProto buildGraph() {
    int c = g.input().channels();
    boolean bake = options.withNormalize() && g.normalization() != null;
    onnx.input(INPUT, inputDoc(bake), c, g.input().height(), g.input().width());
    image = bake ? normalize(g.normalization(), c) : INPUT;
    for (InferenceGraph.Op op : g.ops()) {
      switch (op) {
        case InferenceGraph.Conv conv -> conv(conv);
        case InferenceGraph.Relu r -> onnx.node("Relu", r.name(), List.of(ref(r.input())));
        case InferenceGraph.Pool p -> pool(p);
        case InferenceGraph.Add a -> sum(a);
        case InferenceGraph.Concat cat -> concat(cat);
        case InferenceGraph.Classifier cls -> classifier(cls);
      }
      checkSize(); // after every op, so a huge network fails before it fills the memory
    }
    ModelProto.Builder m =
        ModelProto.newBuilder()
            .setIrVersion(IR_VERSION)
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
            .setProducerName("nrj")
            .setGraph(onnx.build())
            .setDocString(g.description());
    metadata(m, "nrj.network", g.network());
    metadata(m, "nrj.input", inputDoc(bake));
    metadata(m, "nrj.batchnorm", options.foldBatchNorm() ? "folded into the convolutions" : "BatchNormalization");
    return m.build();
  }

  private void checkSize() {
    if (onnx.initializerBytes() <= maxInitializerBytes) return;
    throw new ExportException(
        g.checkpoint(),
        String.format(
            Locale.ROOT, "the network's weights (over %,d bytes) do not fit one ONNX file (protobuf's 2 GB limit), and"
                + " nrj does not write ONNX external data", maxInitializerBytes));
  }

  private static void metadata(ModelProto.Builder m, String key, String value) {
    m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(key).setValue(value));
  }

  private String inputDoc(boolean baked) {
    Normalization n = g.normalization();
    String layout = "NCHW float32 " + g.input() + " per image";
    if (n == null || baked) return "pixels / 255 (values in [0, 1]), " + layout;
    return "(pixels / 255 - mean) / std per channel with mean " + Arrays.toString(n.mean()) + " and std "
        + Arrays.toString(n.std()) + ", " + layout;
  }

  /** x·(1/std) + (-mean/std) per channel on the input; returns the normalised value. */
  private String normalize(Normalization n, int c) {
    float[] scale = new float[c];
    float[] shift = new float[c];
    for (int i = 0; i < c; i++) {
      scale[i] = (float) (1.0 / n.std()[i]);
      shift[i] = (float) (-n.mean()[i] / n.std()[i]);
    }
    String scaled =
        onnx.node("Mul", INPUT + "/scaled", List.of(INPUT, onnx.constant("normalize.scale", scale, 1, c, 1, 1)));
    return onnx.node("Add", INPUT + "/normalized", List.of(scaled, onnx.constant("normalize.shift", shift, 1, c, 1, 1)));
  }

  private String ref(String value) {
    return value.equals(InferenceGraph.IMAGE) ? image : value;
  }

  private void conv(InferenceGraph.Conv c) {
    String n = c.name();
    String x = ref(c.input());
    int out = c.out().channels();
    long[] dims = {out, c.in().channels(), c.kernel(), c.kernel()};
    String bnOut = c.relu() ? n + "/bn" : n;
    if (c.gate() == null && options.foldBatchNorm()) {
      float[][] f = ConvWeights.folded(c);
      convNode(c, bnOut, x, onnx.constant(n + ".fused.weight", f[0], dims), onnx.constant(n + ".fused.bias", f[1], out));
    } else {
      String z;
      if (c.gate() == null) {
        z = convNode(c, n + "/conv", x, onnx.constant(n + ".conv.weight", c.weight().data(), dims), null);
      } else {
        // z = a + 2·sigmoid(a)·c, as a + sigmoid(a)·(2c): doubling the cross weights is exact.
        String diagonal = onnx.constant(n + ".conv.weight.diagonal", ConvWeights.blocks(c, true, 1f), dims);
        String cross = onnx.constant(n + ".conv.weight.cross_x2", ConvWeights.blocks(c, false, 2f), dims);
        String a = convNode(c, n + "/diagonal", x, diagonal, null);
        String c2 = convNode(c, n + "/cross", x, cross, null);
        String s = onnx.node("Sigmoid", n + "/gate", List.of(a));
        z = onnx.node("Add", n + "/gated", List.of(a, onnx.node("Mul", n + "/cross_gated", List.of(s, c2))));
      }
      batchNorm(c, z, bnOut);
    }
    if (c.relu()) onnx.node("Relu", n, List.of(bnOut));
  }

  private String convNode(InferenceGraph.Conv c, String output, String x, String w, String b) {
    List<String> in = b == null ? List.of(x, w) : List.of(x, w, b);
    int k = c.kernel(), s = c.stride(), p = c.pad();
    return onnx.node("Conv", output, in, ints("kernel_shape", k, k), ints("strides", s, s), ints("pads", p, p, p, p));
  }

  private void batchNorm(InferenceGraph.Conv c, String z, String output) {
    String n = c.name();
    int out = c.out().channels();
    if (options.foldBatchNorm()) { // after a gate: the affine BN reduces to, per channel
      float[][] a = ConvWeights.affine(c.bn(), out);
      String scaled = onnx.node("Mul", n + "/bn_scaled", List.of(z, onnx.constant(n + ".bn.scale", a[0], out, 1, 1)));
      onnx.node("Add", output, List.of(scaled, onnx.constant(n + ".bn.shift", a[1], out, 1, 1)));
      return;
    }
    InferenceGraph.BatchNorm bn = c.bn();
    onnx.node(
        "BatchNormalization", output,
        List.of(z, onnx.constant(n + ".bn.weight", bn.gamma(), out), onnx.constant(n + ".bn.bias", bn.beta(), out),
            onnx.constant(n + ".bn.running_mean", bn.mean(), out), onnx.constant(n + ".bn.running_var", bn.var(), out)),
        real("epsilon", (float) InferenceGraph.BatchNorm.EPS));
  }

  private void pool(InferenceGraph.Pool p) {
    int k = p.kernel(), s = p.stride(), q = p.pad();
    List<AttributeProto> attrs =
        new ArrayList<>(List.of(ints("kernel_shape", k, k), ints("strides", s, s), ints("pads", q, q, q, q)));
    if (!p.max()) attrs.add(integer("count_include_pad", 1));
    String op = p.max() ? "MaxPool" : "AveragePool";
    onnx.node(op, p.name(), List.of(ref(p.input())), attrs.toArray(AttributeProto[]::new));
  }

  private void sum(InferenceGraph.Add a) {
    List<String> in = a.inputs().stream().map(this::ref).toList();
    if (in.size() == 1) {
      onnx.node("Identity", a.name(), in);
      return;
    }
    String acc = in.getFirst();
    for (int i = 1; i < in.size(); i++) {
      acc = onnx.node("Add", i == in.size() - 1 ? a.name() : a.name() + "/partial" + i, List.of(acc, in.get(i)));
    }
  }

  /**
   * The parts one after the other on the channel axis: a whole input as it is, a part of one (after
   * rejuvenation: its survivor or its new channels) sliced out of it.
   */
  private void concat(InferenceGraph.Concat c) {
    List<String> in = new ArrayList<>();
    for (int i = 0; i < c.parts().size(); i++) {
      InferenceGraph.Part p = c.parts().get(i);
      String x = ref(p.input());
      if (p.whole()) {
        in.add(x);
        continue;
      }
      String part = c.name() + "/part" + i;
      in.add(
          onnx.node(
              "Slice", part,
              List.of(x, onnx.int64s(part + ".starts", p.from()), onnx.int64s(part + ".ends", p.to()),
                  onnx.int64s(part + ".axes", 1))));
    }
    if (in.size() == 1) onnx.node("Identity", c.name(), in);
    else onnx.node("Concat", c.name(), in, integer("axis", 1));
  }

  private void classifier(InferenceGraph.Classifier c) {
    String n = c.name();
    int ch = c.in().channels();
    int k = c.classes();
    String pooled = onnx.node("GlobalAveragePool", n + "/pool", List.of(ref(c.input())));
    String features = onnx.node("Flatten", n + "/features", List.of(pooled), integer("axis", 1));
    String w = onnx.constant(n + ".weight", c.weight().data(), k, ch); // (K, C, 1, 1) as (K, C)
    String b = onnx.constant(n + ".bias", c.bias(), k);
    if (c.liveIn() < 0) {
      onnx.node("Gemm", LOGITS, List.of(features, w, b), integer("transB", 1));
      onnx.output(LOGITS, "logits (N, " + k + ")", k);
      return;
    }
    // Survivor features [0, liveIn) and new features [liveIn, C), each with the other part zeroed.
    float[] survivors = new float[ch];
    float[] fresh = new float[ch];
    for (int i = 0; i < ch; i++) (i < c.liveIn() ? survivors : fresh)[i] = 1f;
    String maskS = onnx.constant(n + ".survivor_mask", survivors, 1, ch);
    String maskN = onnx.constant(n + ".new_mask", fresh, 1, ch);
    String fs = onnx.node("Mul", n + "/survivor_features", List.of(features, maskS));
    String fn = onnx.node("Mul", n + "/new_features", List.of(features, maskN));
    onnx.node("Gemm", SURVIVOR_LOGITS, List.of(fs, w, b), integer("transB", 1));
    onnx.node("Gemm", NEW_LOGITS, List.of(fn, w, b), integer("transB", 1));
    onnx.node("Add", LOGITS, List.of(SURVIVOR_LOGITS, NEW_LOGITS));
    onnx.output(LOGITS, "survivor logits + new logits (N, " + k + "): what nrj eval predicts with", k);
    onnx.output(SURVIVOR_LOGITS, "logits from the survivor features (N, " + k + ")", k);
    onnx.output(NEW_LOGITS, "logits from the new features (N, " + k + ")", k);
  }
}
