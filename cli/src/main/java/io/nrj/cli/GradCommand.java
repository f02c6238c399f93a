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
import java.util.Set;

/**
 * {@code nrj grad FILE --network N --weights W.safetensors --input X.safetensors --out G.safetensors}:
 * one forward (BN in train mode) and backward for given weights, images {@code x} (N, C, H, W) and
 * {@code labels} (N); writes {@code logits} (N, K), {@code loss} (a scalar) and the gradient of
 * every parameter under the parameter's name. For parity checks against another implementation.
 *
 * <p>The weights file holds tensors named as in checkpoints; BN running statistics may be left out
 * (train-mode BN does not read them).
 */
final class GradCommand {
  static final String USAGE =
      "grad FILE --network N --weights W.safetensors --input X.safetensors --out G.safetensors [--device D]";

  private GradCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err) {
    return CommandSupport.guarded("grad", USAGE, err, () -> grad(args, out, err));
  }

  private static int grad(String[] args, PrintStream out, PrintStream err) throws Exception {
    Flags f = Flags.parse("grad", args, Set.of("--network", "--weights", "--input", "--out", "--device"), Set.of());
    if (f.positional().size() != 1) throw new Flags.UsageException("expected one FILE, got " + f.positional().size());
    Path weightsFile = Path.of(f.require("--weights"));
    Path inputFile = Path.of(f.require("--input"));
    Path outFile = Path.of(f.require("--out"));
    CommandSupport.Selection sel =
        CommandSupport.select(CommandSupport.compile(Path.of(f.positional().getFirst())), f.get("--network"), null);
    NetworkIr ir = sel.network();
    HostParams weights = GradInputs.weights(weightsFile, ir);
    GradInputs input = GradInputs.read(inputFile, ir);
    int n = input.n();
    try (Backend backend = CommandSupport.openDevice(f.get("--device", "cpu"), null, null);
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
