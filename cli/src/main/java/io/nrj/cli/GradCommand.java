package io.nrj.cli;

import io.nrj.dsl.ir.NetworkIr;
import io.nrj.runtime.Backend;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.io.Safetensors;
import io.nrj.runtime.model.GraphNetwork;
import io.nrj.runtime.model.Parameter;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
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
    NetworkIr ir = sel.network();
    HostParams weights = GradInputs.weights(weightsFile, ir);
    GradInputs input = GradInputs.read(inputFile, ir);
    int n = input.n();
    try (Backend backend = CommandSupport.openDevice(spec, device, null, null);
        GraphNetwork net = new GraphNetwork(backend, ir, 0)) {
      HostParams params = net.exportParams(); // BN running statistics the file left out stay at their init
      weights.asMap().forEach(params::put);
      net.importParams(params);
      backend.upload(net.input(n), input.x());
      net.forward(n, true);
      double loss = net.loss(input.labels());
      net.backward();
      LinkedHashMap<String, Safetensors.Tensor> result = new LinkedHashMap<>();
      result.put("logits", Safetensors.Tensor.f32(new int[] {n, ir.classes()}, net.logits()));
      result.put("loss", Safetensors.Tensor.f32(new int[0], new float[] {(float) loss}));
      for (Parameter p : net.parameters().all()) {
        if (p.grad() != null) result.put(p.name(), Safetensors.Tensor.f32(p.shape(), backend.download(p.grad())));
      }
      // In a fixed order: identical runs give identical bytes.
      LinkedHashMap<String, String> metadata = new LinkedHashMap<>();
      metadata.put("network", ir.name());
      metadata.put("loss", Double.toString(loss));
      Safetensors.write(outFile, result, metadata);
      out.printf(Locale.ROOT, "loss %.6f; wrote %d gradients to %s%n", loss, result.size() - 2, outFile);
    }
    return 0;
  }
}
