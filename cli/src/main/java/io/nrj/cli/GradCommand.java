package io.nrj.cli;

import io.nrj.runtime.Backend;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.HostTensor;
import io.nrj.runtime.io.InputFileException;
import io.nrj.runtime.io.Safetensors;
import io.nrj.runtime.model.GraphNetwork;
import io.nrj.runtime.model.Parameter;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code nrj grad FILE --network N --weights W.safetensors --input X.safetensors --out G.safetensors}:
 * one forward (BN in train mode) and backward for given weights, images {@code x} (N, C, H, W) and
 * {@code labels} (N); writes {@code logits} (N, K), {@code loss} (a scalar) and the gradient of
 * every parameter under the parameter's name. For parity checks against another implementation.
 *
 * <p>The weights file holds tensors named as in checkpoints; BN running statistics may be left out
 * (train-mode BN does not read them).
 */
@Command(
    name = "grad",
    description = {
      "One forward and backward for given weights and inputs: logits, loss and every gradient.",
      "BN runs in train mode; gradients are named like the weights (for parity checks against PyTorch)."
    })
final class GradCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;
  @ParentCommand private Main nrj;

  @Parameters(paramLabel = "FILE", description = "the .nr file")
  private Path file;

  @Option(names = "--network", paramLabel = "N", order = 1,
      description = "the network (default: the one the train binding names, or the only one)")
  private String network;

  @Option(names = "--weights", required = true, paramLabel = "W.safetensors", order = 2,
      description = "parameters named as in checkpoints (BN running statistics may be left out)")
  private Path weightsFile;

  @Option(names = "--input", required = true, paramLabel = "X.safetensors", order = 3,
      description = "tensors 'x' (N, C, H, W) and 'labels' (N)")
  private Path inputFile;

  @Option(names = "--out", required = true, paramLabel = "G.safetensors", order = 4,
      description = "where to write logits, loss and the gradients")
  private Path outFile;

  @Option(names = "--device", paramLabel = "auto|cpu|cuda", defaultValue = "cpu", order = 5,
      description = "where to run (default: ${DEFAULT-VALUE})")
  private String device;

  @Override
  public Integer call() throws Exception {
    PrintStream out = nrj.out();
    CommandSupport.Selection sel = CommandSupport.select(CommandSupport.compile(file), network, null);
    Safetensors.Contents weights = Safetensors.read(weightsFile);
    Safetensors.Contents input = Safetensors.read(inputFile);
    Safetensors.Tensor x = required(input, inputFile, "x");
    Safetensors.Tensor y = required(input, inputFile, "labels");
    int[] xs = x.intShape();
    var shape = sel.network().input();
    if (xs.length != 4 || xs[1] != shape.channels() || xs[2] != shape.height() || xs[3] != shape.width()) {
      throw new InputFileException(
          inputFile, "tensor 'x' has shape " + Arrays.toString(xs) + ", network '" + sel.network().name()
              + "' needs (N, " + shape.channels() + ", " + shape.height() + ", " + shape.width() + ")");
    }
    int n = xs[0];
    long[] labelValues = y.dtype() == Safetensors.DType.F32 ? toLongs(y.toFloats()) : y.toLongs();
    if (labelValues.length != n) {
      throw new InputFileException(inputFile, "tensor 'labels' has " + labelValues.length + " values for " + n + " images");
    }
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      if (labelValues[i] < 0 || labelValues[i] >= sel.network().classes()) {
        throw new InputFileException(inputFile, "label " + labelValues[i] + " of image " + i + " is not a class of "
            + sel.network().name() + " (0 to " + (sel.network().classes() - 1) + ")");
      }
      labels[i] = (int) labelValues[i];
    }
    try (Backend backend = CommandSupport.openDevice(spec, device, null, null);
        GraphNetwork net = new GraphNetwork(backend, sel.network(), 0)) {
      HostParams params = net.exportParams();
      for (Map.Entry<String, Safetensors.Tensor> e : weights.tensors().entrySet()) {
        if (!params.contains(e.getKey())) {
          throw new InputFileException(weightsFile, "tensor '" + e.getKey() + "' is not in network '" + sel.network().name() + "'");
        }
        params.put(e.getKey(), new HostTensor(e.getValue().intShape(), e.getValue().toFloats()));
      }
      for (Parameter p : net.parameters().all()) {
        if (p.grad() != null && !weights.tensors().containsKey(p.name())) {
          throw new InputFileException(weightsFile, "tensor '" + p.name() + "' is missing");
        }
      }
      try {
        net.importParams(params);
      } catch (IllegalArgumentException e) {
        throw new InputFileException(weightsFile, e.getMessage());
      }
      backend.upload(net.input(n), x.toFloats());
      net.forward(n, true);
      double loss = net.loss(labels);
      net.backward();
      LinkedHashMap<String, Safetensors.Tensor> result = new LinkedHashMap<>();
      result.put("logits", Safetensors.Tensor.f32(new int[] {n, sel.network().classes()}, net.logits()));
      result.put("loss", Safetensors.Tensor.f32(new int[0], new float[] {(float) loss}));
      for (Parameter p : net.parameters().all()) {
        if (p.grad() != null) result.put(p.name(), Safetensors.Tensor.f32(p.shape(), backend.download(p.grad())));
      }
      Safetensors.write(outFile, result, Map.of("network", sel.network().name(), "loss", Double.toString(loss)));
      out.printf(Locale.ROOT, "loss %.6f; wrote %d gradients to %s%n", loss, result.size() - 2, outFile);
    }
    return 0;
  }

  private static Safetensors.Tensor required(Safetensors.Contents c, Path file, String name) {
    Safetensors.Tensor t = c.tensors().get(name);
    if (t == null) throw new InputFileException(file, "has no tensor '" + name + "'");
    return t;
  }

  private static long[] toLongs(float[] v) {
    long[] out = new long[v.length];
    for (int i = 0; i < v.length; i++) out[i] = (long) v[i];
    return out;
  }
}
