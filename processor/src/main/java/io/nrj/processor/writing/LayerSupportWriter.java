package io.nrj.processor.writing;

import static com.palantir.javapoet.MethodSpec.methodBuilder;
import static io.nrj.processor.writing.RuntimeNames.CONV_GEOM;
import static io.nrj.processor.writing.RuntimeNames.HOST_PARAMS;
import static io.nrj.processor.writing.RuntimeNames.HOST_TENSOR;
import static io.nrj.processor.writing.RuntimeNames.POOL_GEOM;
import static io.nrj.processor.writing.RuntimeNames.TENSOR;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import io.nrj.dsl.ir.InitScheme;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.lang.model.element.Modifier;

/**
 * Writes the per-layer-kind parts every trainer shares: a nested record per layer kind (its
 * parameter views, running statistics, activations and their gradients) and the few private
 * methods that plan, run and serialise one layer. Fixed text: they depend on the descriptor only
 * through which kinds occur and the initialisation scheme.
 */
final class LayerSupportWriter {
  static final ClassName CONV_BN = ClassName.get("", "ConvBn");
  static final ClassName POOL = ClassName.get("", "Pool");
  static final ClassName ELEMENTWISE = ClassName.get("", "Elementwise");
  static final ClassName CLASSIFIER = ClassName.get("", "Linear");

  private LayerSupportWriter() {}

  static TypeSpec convBnRecord() {
    return record(
        CONV_BN,
        "One conv+BN(+ReLU) layer: parameter and gradient views into the blocks, running statistics,"
            + "\nand its buffers for one batch: {@code conv} (N,K,H,W) before BN, {@code out} after"
            + "\nBN (and ReLU, in place), {@code dBn} the gradient at BN's output when ReLU follows.",
        List.of(
            param(CONV_GEOM, "geom"), param(TypeName.BOOLEAN, "relu"), param(TENSOR, "weight"),
            param(TENSOR, "gamma"), param(TENSOR, "beta"), param(TENSOR, "dWeight"),
            param(TENSOR, "dGamma"), param(TENSOR, "dBeta"), param(TENSOR, "runningMean"),
            param(TENSOR, "runningVar"), param(TENSOR, "conv"), param(TENSOR, "out"),
            param(TENSOR, "saveMean"), param(TENSOR, "saveInvStd"), param(TENSOR, "dConv"),
            param(TENSOR, "dBn"), param(TENSOR, "dOut")),
        methodBuilder("channels").returns(int.class).addStatement("return geom.k()").build(),
        methodBuilder("hw").returns(int.class).addStatement("return geom.outH() * geom.outW()").build());
  }

  static TypeSpec poolRecord() {
    return record(
        POOL,
        "A max or average pooling layer and its buffers (N,C,H',W').",
        List.of(
            param(POOL_GEOM, "geom"), param(TypeName.BOOLEAN, "max"), param(TENSOR, "out"),
            param(TENSOR, "dOut")),
        methodBuilder("channels").returns(int.class).addStatement("return geom.c()").build());
  }

  static TypeSpec elementwiseRecord() {
    return record(
        ELEMENTWISE,
        "A ReLU, residual sum or concatenation: its output (N,C,H,W) and that output's gradient.",
        List.of(
            param(TypeName.INT, "channels"), param(TypeName.INT, "hw"), param(TENSOR, "out"),
            param(TENSOR, "dOut")));
  }

  static TypeSpec classifierRecord() {
    return record(
        CLASSIFIER,
        "The classifier: global average pooling to {@code pooled} (N,C), then logits (N,K) ="
            + "\npooled * weight^T + bias, with weight (K,C). {@code out} holds the logits.",
        List.of(
            param(TypeName.INT, "in"), param(TypeName.INT, "hw"), param(TypeName.INT, "channels"),
            param(TENSOR, "weight"), param(TENSOR, "bias"), param(TENSOR, "dWeight"),
            param(TENSOR, "dBias"), param(TENSOR, "pooled"), param(TENSOR, "out"),
            param(TENSOR, "dPooled"), param(TENSOR, "dOut")));
  }

  private static TypeSpec record(
      ClassName name, String doc, List<ParameterSpec> components, MethodSpec... methods) {
    return TypeSpec.recordBuilder(name.simpleName())
        .addModifiers(Modifier.PRIVATE)
        .addJavadoc(doc + "\n")
        .recordConstructor(MethodSpec.constructorBuilder().addParameters(components).build())
        .addMethods(List.of(methods))
        .build();
  }

  private static ParameterSpec param(TypeName type, String name) {
    return ParameterSpec.builder(type, name).build();
  }

  // ---- planning: views into the blocks, buffers for one batch ----

  /** Helpers that carve the next slice off a block and allocate batch buffers. */
  static List<MethodSpec> planHelpers() {
    List<MethodSpec> out = new ArrayList<>();
    out.add(
        methodBuilder("param")
            .addJavadoc("The next {@code shape} elements of the parameter block, and the same slice\n"
                + "of the gradient block.\n")
            .addModifiers(Modifier.PRIVATE)
            .returns(ArrayTypeName.of(TENSOR))
            .addParameter(int[].class, "shape")
            .varargs()
            .addStatement("long size = 1")
            .beginControlFlow("for (int d : shape)")
            .addStatement("size *= d")
            .endControlFlow()
            .addStatement(
                "$T[] views = {params.view(paramCursor, shape), grads.view(paramCursor, shape)}",
                TENSOR)
            .addStatement("paramCursor += size")
            .addStatement("return views")
            .build());
    out.add(
        methodBuilder("stat")
            .addJavadoc("The next {@code c} elements of the running-statistics block.\n")
            .addModifiers(Modifier.PRIVATE)
            .returns(TENSOR)
            .addParameter(int.class, "c")
            .addStatement("$T view = stats.view(statCursor, c)", TENSOR)
            .addStatement("statCursor += c")
            .addStatement("return view")
            .build());
    out.add(
        methodBuilder("buffer")
            .addJavadoc("A batch buffer owned by this plan; {@code zeroed} ones are cleared before each"
                + " backward pass.\n")
            .addModifiers(Modifier.PRIVATE)
            .returns(TENSOR)
            .addParameter(boolean.class, "zeroed")
            .addParameter(int[].class, "shape")
            .varargs()
            .addStatement("$T t = backend.allocate(shape)", TENSOR)
            .addStatement("owned.add(t)")
            .beginControlFlow("if (zeroed)")
            .addStatement("gradients.add(t)")
            .endControlFlow()
            .addStatement("return t")
            .build());
    return out;
  }

  static MethodSpec planConvBn() {
    return methodBuilder("convBn")
        .addModifiers(Modifier.PRIVATE)
        .returns(CONV_BN)
        .addParameter(CONV_GEOM, "g")
        .addParameter(boolean.class, "relu")
        .addStatement("int k = g.k()")
        .addStatement("$T[] w = param(k, g.c(), g.r(), g.s())", TENSOR)
        .addStatement("$T[] gamma = param(k)", TENSOR)
        .addStatement("$T[] beta = param(k)", TENSOR)
        .addStatement("int n = g.n(), h = g.outH(), wd = g.outW()")
        .addStatement(
            "return new $T(g,$Wrelu,$Ww[0],$Wgamma[0],$Wbeta[0],$Ww[1],$Wgamma[1],$Wbeta[1],$Wstat(k),$W"
                + "stat(k),$Wbuffer(false,$Wn,$Wk,$Wh,$Wwd),$Wbuffer(false,$Wn,$Wk,$Wh,$Wwd),$W"
                + "buffer(false,$Wk),$Wbuffer(false,$Wk),$Wbuffer(true,$Wn,$Wk,$Wh,$Wwd),$W"
                + "relu ? buffer(true,$Wn,$Wk,$Wh,$Wwd) : null,$Wbuffer(true,$Wn,$Wk,$Wh,$Wwd))",
            CONV_BN)
        .build();
  }

  static MethodSpec planPool() {
    return methodBuilder("pool")
        .addModifiers(Modifier.PRIVATE)
        .returns(POOL)
        .addParameter(POOL_GEOM, "g")
        .addParameter(boolean.class, "max")
        .addStatement("int n = g.n(), c = g.c(), h = g.outH(), w = g.outW()")
        .addStatement(
            "return new $T(g, max, buffer(false, n, c, h, w), buffer(true, n, c, h, w))", POOL)
        .build();
  }

  static MethodSpec planElementwise() {
    return methodBuilder("elementwise")
        .addModifiers(Modifier.PRIVATE)
        .returns(ELEMENTWISE)
        .addParameter(int.class, "c")
        .addParameter(int.class, "h")
        .addParameter(int.class, "w")
        .addStatement(
            "return new $T(c, h * w, buffer(false, batch, c, h, w), buffer(true, batch, c, h, w))",
            ELEMENTWISE)
        .build();
  }

  static MethodSpec planClassifier() {
    return methodBuilder("linear")
        .addModifiers(Modifier.PRIVATE)
        .returns(CLASSIFIER)
        .addParameter(int.class, "in")
        .addParameter(int.class, "hw")
        .addParameter(int.class, "k")
        .addComment("dOut is not cleared before backward: the loss overwrites it")
        .addStatement("$T[] w = param(k, in)", TENSOR)
        .addStatement("$T[] b = param(k)", TENSOR)
        .addStatement(
            "return new $T(in,$Whw,$Wk,$Ww[0],$Wb[0],$Ww[1],$Wb[1],$Wbuffer(false,$Wbatch,$Win),$W"
                + "buffer(false,$Wbatch,$Wk),$Wbuffer(true,$Wbatch,$Win),$Wbuffer(false,$Wbatch,$Wk))",
            CLASSIFIER)
        .build();
  }

  // ---- running one layer ----

  static MethodSpec convBnForward() {
    return methodBuilder("forward")
        .addJavadoc("conv, then BN (batch statistics when training), then ReLU in place.\n")
        .addModifiers(Modifier.PRIVATE)
        .addParameter(TENSOR, "x")
        .addParameter(CONV_BN, "l")
        .addStatement("backend.convForward(x, l.weight(), l.conv(), l.geom())")
        .beginControlFlow("if (training)")
        .addStatement(
            "backend.batchNormForwardTrain(l.conv(),$Wl.gamma(),$Wl.beta(),$Wl.runningMean(),$W"
                + "l.runningVar(),$Wl.out(),$Wl.saveMean(),$Wl.saveInvStd(),$Wbatch,$Wl.channels(),$W"
                + "l.hw(),$WBN_EPS,$WBN_MOMENTUM)")
        .nextControlFlow("else")
        .addStatement(
            "backend.batchNormForwardEval(l.conv(),$Wl.gamma(),$Wl.beta(),$Wl.runningMean(),$W"
                + "l.runningVar(),$Wl.out(),$Wbatch,$Wl.channels(),$Wl.hw(),$WBN_EPS)")
        .endControlFlow()
        .beginControlFlow("if (l.relu())")
        .addStatement("backend.reluForward(l.out(), l.out())")
        .endControlFlow()
        .build();
  }

  static MethodSpec convBnBackward() {
    return methodBuilder("backward")
        .addJavadoc("The reverse of {@link #forward(Tensor, ConvBn)}; {@code dx} is null for the"
            + " image.\n")
        .addModifiers(Modifier.PRIVATE)
        .addParameter(TENSOR, "x")
        .addParameter(TENSOR, "dx")
        .addParameter(CONV_BN, "l")
        .addStatement("$T dBn = l.dOut()", TENSOR)
        .beginControlFlow("if (l.relu())")
        .addStatement("backend.reluBackward(l.out(), l.dOut(), l.dBn())")
        .addStatement("dBn = l.dBn()")
        .endControlFlow()
        .addStatement(
            "backend.batchNormBackward(l.conv(),$WdBn,$Wl.gamma(),$Wl.saveMean(),$Wl.saveInvStd(),$W"
                + "l.dConv(),$Wl.dGamma(),$Wl.dBeta(),$Wbatch,$Wl.channels(),$Wl.hw())")
        .addStatement("backend.convBackwardFilter(x, l.dConv(), l.dWeight(), l.geom())")
        .beginControlFlow("if (dx != null)")
        .addStatement("backend.convBackwardData(l.dConv(), l.weight(), dx, l.geom())")
        .endControlFlow()
        .build();
  }

  static MethodSpec classifierForward() {
    return methodBuilder("forward")
        .addJavadoc("Global average pooling, then the linear map to the logits.\n")
        .addModifiers(Modifier.PRIVATE)
        .addParameter(TENSOR, "x")
        .addParameter(CLASSIFIER, "l")
        .addStatement("backend.globalAvgPoolForward(x, l.pooled(), batch, l.in(), l.hw())")
        .addStatement(
            "backend.linearForward(l.pooled(),$Wl.weight(),$Wl.bias(),$Wl.out(),$Wbatch,$Wl.in(),$W"
                + "l.channels())")
        .build();
  }

  static MethodSpec classifierBackward() {
    return methodBuilder("backward")
        .addModifiers(Modifier.PRIVATE)
        .addParameter(TENSOR, "dx")
        .addParameter(CLASSIFIER, "l")
        .addStatement(
            "backend.linearBackward(l.pooled(),$Wl.weight(),$Wl.dOut(),$Wl.dPooled(),$Wl.dWeight(),$W"
                + "l.dBias(),$Wbatch,$Wl.in(),$Wl.channels())")
        .addStatement("backend.globalAvgPoolBackward(l.dPooled(), dx, batch, l.in(), l.hw())")
        .build();
  }

  // ---- initialisation and checkpoint tensors ----

  /** He-normal fan-out conv weights, BN scale from the init scheme, shift 0, stats (0, 1). */
  static MethodSpec initConvBn(InitScheme init) {
    return methodBuilder("initialize")
        .addModifiers(Modifier.PRIVATE)
        .addParameter(CONV_BN, "l")
        .addParameter(Random.class, "rng")
        .addStatement("$T g = l.geom()", CONV_GEOM)
        .addComment("N(0, sqrt(2 / (k*k*Cout))): He-normal, fan-out (spec §8.1)")
        .addStatement(
            "upload(l.weight(),$Wgaussian(rng, (int) l.weight().numel(),$WMath.sqrt(2.0 / (g.r() *"
                + " g.s() * g.k()))))")
        .addStatement("backend.fill(l.gamma(), $Lf)", (float) init.bnGamma())
        .addStatement("backend.fill(l.beta(), 0f)")
        .addStatement("backend.fill(l.runningMean(), 0f)")
        .addStatement("backend.fill(l.runningVar(), 1f)")
        .build();
  }

  static MethodSpec initClassifier(InitScheme init) {
    MethodSpec.Builder m =
        methodBuilder("initialize")
            .addModifiers(Modifier.PRIVATE)
            .addParameter(CLASSIFIER, "l")
            .addParameter(Random.class, "rng")
            .addStatement("int n = (int) l.weight().numel()");
    if (init.classifier() == InitScheme.ClassifierInit.HE) {
      m.addComment("CIFAR ResNet quirk (spec §12 C2): W ~ N(0, sqrt(2/K)), b ~ U(-1/sqrt(C), 1/sqrt(C))")
          .addStatement("upload(l.weight(), gaussian(rng, n, Math.sqrt(2.0 / l.channels())))")
          .addStatement("float[] b = new float[l.channels()]")
          .addStatement("double bound = 1.0 / Math.sqrt(l.in())")
          .beginControlFlow("for (int i = 0; i < b.length; i++)")
          .addStatement("b[i] = (float) ((rng.nextDouble() * 2 - 1) * bound)")
          .endControlFlow()
          .addStatement("upload(l.bias(), b)");
    } else {
      m.addComment("W ~ N(0, 0.01), b = 0 (spec §8.1)")
          .addStatement("upload(l.weight(), gaussian(rng, n, 0.01))")
          .addStatement("backend.fill(l.bias(), 0f)");
    }
    return m.build();
  }

  static List<MethodSpec> hostHelpers() {
    return List.of(
        methodBuilder("gaussian")
            .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
            .returns(float[].class)
            .addParameter(Random.class, "rng")
            .addParameter(int.class, "n")
            .addParameter(double.class, "std")
            .addStatement("float[] v = new float[n]")
            .beginControlFlow("for (int i = 0; i < n; i++)")
            .addStatement("v[i] = (float) (rng.nextGaussian() * std)")
            .endControlFlow()
            .addStatement("return v")
            .build(),
        methodBuilder("upload")
            .addModifiers(Modifier.PRIVATE)
            .addParameter(TENSOR, "t")
            .addParameter(float[].class, "v")
            .addStatement("backend.upload(t, v)")
            .build(),
        methodBuilder("export")
            .addJavadoc("Copies one device tensor into {@code out} under {@code name}, with the\n"
                + "checkpoint's {@code shape}.\n")
            .addModifiers(Modifier.PRIVATE)
            .addParameter(HOST_PARAMS, "out")
            .addParameter(String.class, "name")
            .addParameter(TENSOR, "t")
            .addParameter(int[].class, "shape")
            .varargs()
            .addStatement("out.put(name, new $T(shape, backend.download(t)))", HOST_TENSOR)
            .build(),
        methodBuilder("load")
            .addJavadoc("Uploads tensor {@code name} of {@code in} into {@code t}, checking its size.\n")
            .addModifiers(Modifier.PRIVATE)
            .addParameter(HOST_PARAMS, "in")
            .addParameter(String.class, "name")
            .addParameter(TENSOR, "t")
            .addStatement("$T h = in.get(name)", HOST_TENSOR)
            .beginControlFlow("if (h.numel() != t.numel())")
            .addStatement(
                "throw new $T(\"tensor '\" + name + \"' has \" + h.numel()$W+ \" elements, the network"
                    + " at widths \" + widths$W+ \" needs \" + t.numel())",
                IllegalArgumentException.class)
            .endControlFlow()
            .addStatement("backend.upload(t, h.data())")
            .build(),
        methodBuilder("exportConvBn")
            .addModifiers(Modifier.PRIVATE)
            .addParameter(HOST_PARAMS, "out")
            .addParameter(String.class, "name")
            .addParameter(CONV_BN, "l")
            .addStatement("$T g = l.geom()", CONV_GEOM)
            .addStatement("export(out, name + \".conv.weight\", l.weight(), g.k(), g.c(), g.r(), g.s())")
            .addStatement("export(out, name + \".bn.weight\", l.gamma(), g.k())")
            .addStatement("export(out, name + \".bn.bias\", l.beta(), g.k())")
            .addStatement("export(out, name + \".bn.running_mean\", l.runningMean(), g.k())")
            .addStatement("export(out, name + \".bn.running_var\", l.runningVar(), g.k())")
            .addStatement(
                "out.put(name + \".bn.num_batches_tracked\",$Wnew $T(new int[0], new float[] {batchesTracked}))",
                HOST_TENSOR)
            .build(),
        methodBuilder("loadConvBn")
            .addModifiers(Modifier.PRIVATE)
            .addParameter(HOST_PARAMS, "in")
            .addParameter(String.class, "name")
            .addParameter(CONV_BN, "l")
            .addStatement("load(in, name + \".conv.weight\", l.weight())")
            .addStatement("load(in, name + \".bn.weight\", l.gamma())")
            .addStatement("load(in, name + \".bn.bias\", l.beta())")
            .addStatement("load(in, name + \".bn.running_mean\", l.runningMean())")
            .addStatement("load(in, name + \".bn.running_var\", l.runningVar())")
            .build());
  }
}
