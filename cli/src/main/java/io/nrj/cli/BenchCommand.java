package io.nrj.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.runtime.Backend;
import io.nrj.runtime.cpu.CpuKernelBench;
import io.nrj.runtime.cuda.CudaBackend;
import io.nrj.runtime.io.JsonCodec;
import io.nrj.runtime.model.GraphNetwork;
import io.nrj.runtime.train.Sgd;
import io.nrj.runtime.train.StepRunner;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * {@code nrj bench FILE --network N [--device D] [--precision P] [--batch B] [--steps K] [--json] [--kernels]
 * [--cuda-graphs]}:
 * times full training steps (forward, loss, backward, SGD) on random images after warm-up steps,
 * and reports images per second, milliseconds per step and the device memory the network holds.
 * {@code --inference} times eval-mode forward passes with the logits read back instead. {@code
 * --kernels} runs the CPU backend's kernel benchmark instead. Not a test: numbers depend on
 * the machine and its load.
 */
final class BenchCommand {
  static final String USAGE =
      "bench FILE --network N [--device auto|cpu|cuda] [--precision fp32|tf32] [--batch B] [--steps K] [--warmup W] [--json] [--kernels] [--inference] [--cuda-graphs]";

  private BenchCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err) {
    return CommandSupport.guarded("bench", USAGE, err, () -> bench(args, out, err));
  }

  private static int bench(String[] args, PrintStream out, PrintStream err) throws Exception {
    Flags f =
        Flags.parse("bench", args, Set.of("--network", "--device", "--precision", "--batch", "--steps", "--warmup"), Set.of("--json", "--kernels", "--inference", "--cuda-graphs"));
    if (f.has("--kernels")) return kernels(out);
    if (f.positional().size() != 1) throw new Flags.UsageException("expected one FILE, got " + f.positional().size());
    CommandSupport.Selection sel =
        CommandSupport.select(CommandSupport.compile(Path.of(f.positional().getFirst())), f.get("--network"), null);
    NetworkIr ir = sel.network();
    int batch = f.positiveInt("--batch", sel.schedule() == null ? 64 : sel.schedule().batch());
    int steps = f.positiveInt("--steps", 20);
    int warmup = f.has("--warmup") ? Math.max(0, (int) f.longValue("--warmup", 3)) : 3;
    ScheduleIr.Sgd sgdConfig = sel.schedule() == null ? new ScheduleIr.Sgd(0.01, 0.9, 1e-4) : sel.schedule().sgd();
    boolean inference = f.has("--inference");
    boolean graphs = f.has("--cuda-graphs");
    Random r = new Random(1);
    float[] x = new float[Math.toIntExact(batch * ir.input().size())];
    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
    int[] y = new int[batch];
    for (int i = 0; i < batch; i++) y[i] = r.nextInt(ir.classes());
    try (Backend backend = CommandSupport.openDevice(f.get("--device", "auto"), f.get("--precision"), sel.schedule() == null ? null : sel.schedule().precision());
        GraphNetwork net = new GraphNetwork(backend, ir, 1);
        Sgd sgd = new Sgd(backend, net.parameters(), sgdConfig);
        StepRunner runner = new StepRunner(graphs)) {
      long t0 = 0;
      for (int s = 0; s < warmup + steps; s++) {
        if (s == warmup) {
          backend.synchronize();
          t0 = System.nanoTime();
        }
        if (inference) {
          backend.upload(net.input(batch), x);
          net.forward(batch, false); // eval-mode BN, logits back on the host: what nrj eval does per batch
          net.logits();
          continue;
        }
        // upload, forward, loss (read back, as training does), backward, SGD; recorded and replayed
        // as a CUDA graph with --cuda-graphs
        runner.step(net, sgd, x, y, sgdConfig.lr(), 0, c -> false);
      }
      backend.synchronize();
      double seconds = (System.nanoTime() - t0) / 1e9;
      double msPerStep = 1000 * seconds / steps;
      double imgPerSec = batch * steps / seconds;
      boolean tf32 = backend instanceof CudaBackend cuda && cuda.tf32(); // the CPU always computes in FP32
      boolean replayed = runner.lastStepReplayed(); // false where the device cannot record (the CPU)
      long bytes = net.deviceBytes() + (net.parameters().paramBlock() == null ? 0 : 4 * net.parameters().paramBlock().numel()); // + momentum
      if (f.has("--json")) {
        ObjectNode o = JsonCodec.object();
        o.put("network", ir.name()).put("device", backend.name()).put("mode", inference ? "inference" : "training");
        o.put("precision", tf32 ? "tf32" : "fp32").put("graphs", graphs && replayed).put("batch", batch).put("steps", steps);
        // fixed decimals, as the line always had: 2 for img/s, 3 for ms
        o.put("img_per_s", new BigDecimal(String.format(Locale.ROOT, "%.2f", imgPerSec)));
        o.put("ms_per_step", new BigDecimal(String.format(Locale.ROOT, "%.3f", msPerStep)));
        o.put("peak_bytes", bytes).put("params", net.parameters().paramCount());
        out.println(JsonCodec.write(o));
      } else {
        out.printf(
            Locale.ROOT, "%s %s on %s, batch %d, %d steps after %d warm-up: %.1f img/s, %.2f ms/step, %.1f MiB on the device%n",
            ir.name(), inference ? "inference" : "training", backend.name() + (tf32 ? " (TF32)" : "") + (graphs && replayed ? " with CUDA graphs" : ""), batch, steps, warmup, imgPerSec, msPerStep, bytes / 1048576.0);
      }
    }
    return 0;
  }

  /** The CPU backend's kernel benchmark: conv GFLOP/s on VGG-like shapes and LeNet-5 steps. */
  private static int kernels(PrintStream out) {
    CpuKernelBench.run(out, 1.0);
    out.flush();
    return 0;
  }
}
