package io.nrj.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.runtime.Backend;
import io.nrj.runtime.cpu.CpuKernelBench;
import io.nrj.runtime.cuda.CudaBackend;
import io.nrj.runtime.io.JsonCodec;
import io.nrj.runtime.model.GraphNetwork;
import io.nrj.runtime.profile.OpProfile;
import io.nrj.runtime.profile.ProfilingBackend;
import io.nrj.runtime.train.Sgd;
import io.nrj.runtime.train.StepRunner;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code nrj bench FILE [--network N] [--device D] [--precision P] [--batch B] [--steps K] [--json]
 * [--profile] [--kernels] [--cuda-graphs]}: times full training steps (forward, loss, backward, SGD) on random
 * images after warm-up steps, and reports images per second, milliseconds per step and the memory
 * the network's tensors hold. {@code --inference} times eval-mode forward passes with the logits
 * read back instead. {@code --kernels} runs the CPU backend's kernel benchmark instead. Not a test:
 * numbers depend on the machine and its load.
 */
@Command(
    name = "bench",
    description = {
      "Time training steps of a network on random images: img/s, ms/step and tensor memory.",
      "A step is forward, loss, backward and SGD (--inference: eval-mode forward passes). --kernels runs",
      "the CPU kernel benchmark instead (FILE's convolution shapes, or a default set without FILE)."
    })
final class BenchCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;
  @ParentCommand private Main nrj;

  @Parameters(paramLabel = "FILE", arity = "0..1", description = "the .nr file (with --kernels: time its convolution shapes)")
  private Path file;

  @Option(names = "--network", paramLabel = "N", order = 1,
      description = "the network to time (default: the one the train binding names, or the only one)")
  private String network;

  @Mixin private DeviceOptions device;

  @Option(names = "--batch", paramLabel = "B", order = 22, description = "batch size (default: the schedule's, else 64)")
  private Integer batchOption;

  @Option(names = "--steps", paramLabel = "K", defaultValue = "20", order = 23, description = "timed steps (default: ${DEFAULT-VALUE})")
  private int steps;

  @Option(names = "--warmup", paramLabel = "W", defaultValue = "3", order = 24,
      description = "untimed steps first (default: ${DEFAULT-VALUE})")
  private int warmup;

  @Option(names = "--json", order = 25, description = "one JSON line instead of the sentence")
  private boolean json;

  @Option(names = "--inference", order = 26, description = "time eval-mode forward passes with the logits read back")
  private boolean inference;

  @Option(names = "--cuda-graphs", order = 27, description = "record each step once and replay it as a CUDA graph (GPU only)")
  private boolean graphs;

  @Option(names = "--profile", order = 28,
      description = "also print where each step's time goes: per operation kind and per operation and shape (ms/step, share, GFLOP/s)")
  private boolean profile;

  @Option(names = "--kernels", order = 29,
      description = "run the CPU kernel benchmark instead: every pass of each convolution shape (FILE's, else a default set) and SGEMM, in GFLOP/s against the measured FMA peak")
  private boolean kernels;

  @Option(names = "--trace", paramLabel = "T", order = 30,
      description = "also print ms/step for every T steps, warm-up included, to stderr: how many steps the JIT needs to reach full speed")
  private Integer trace;

  @Override
  public Integer call() throws Exception {
    PrintStream out = nrj.out();
    CommandSupport.positive(spec, "--steps", steps);
    if (batchOption != null) CommandSupport.positive(spec, "--batch", batchOption);
    if (warmup < 0) throw CommandSupport.usage(spec, "--warmup must be 0 or more, got '" + warmup + "'");
    if (trace != null) CommandSupport.positive(spec, "--trace", trace);
    if (kernels && file == null) return kernels(out, CpuKernelBench.DEFAULT_SHAPES);
    if (file == null) throw CommandSupport.usage(spec, "no file given (only --kernels needs none)");
    CommandSupport.Selection sel = CommandSupport.select(CommandSupport.compile(file), network, null);
    NetworkIr ir = sel.network();
    int batch = batchOption != null ? batchOption : sel.schedule() == null ? 64 : sel.schedule().batch();
    if (kernels) return kernels(out, CpuKernelBench.shapesOf(ir, batch));
    ScheduleIr.Sgd sgdConfig = sel.schedule() == null ? new ScheduleIr.Sgd(0.01, 0.9, 1e-4) : sel.schedule().sgd();
    Random r = new Random(1);
    float[] x = new float[Math.toIntExact(batch * ir.input().size())];
    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
    int[] y = new int[batch];
    for (int i = 0; i < batch; i++) y[i] = r.nextInt(ir.classes());
    OpProfile ops = profile ? new OpProfile() : null;
    try (Backend opened = device.open(sel.schedule() == null ? null : sel.schedule().precision());
        Backend backend = ops == null ? opened : new ProfilingBackend(opened, ops);
        GraphNetwork net = new GraphNetwork(backend, ir, 1);
        Sgd sgd = new Sgd(backend, net.parameters(), sgdConfig);
        StepRunner runner = new StepRunner(graphs)) {
      long t0 = 0, traced = System.nanoTime();
      for (int s = 0; s < warmup + steps; s++) {
        if (s == warmup) {
          backend.synchronize();
          if (ops != null) ops.enable(true);
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
        if (trace != null && (s + 1) % trace == 0) {
          backend.synchronize();
          long now = System.nanoTime();
          nrj.err().printf(Locale.ROOT, "steps %d-%d%s: %.2f ms/step%n", s + 1 - trace, s, s < warmup ? " (warm-up)" : "", (now - traced) / 1e6 / trace);
          traced = now;
        }
      }
      backend.synchronize();
      long elapsed = System.nanoTime() - t0;
      double seconds = elapsed / 1e9;
      double msPerStep = 1000 * seconds / steps;
      double imgPerSec = batch * steps / seconds;
      boolean tf32 = opened instanceof CudaBackend cuda && cuda.tf32(); // the CPU always computes in FP32
      boolean replayed = runner.lastStepReplayed(); // false where the device cannot record (the CPU)
      long bytes = net.deviceBytes() + (net.parameters().paramBlock() == null ? 0 : 4 * net.parameters().paramBlock().numel()); // + momentum
      if (json) {
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
            Locale.ROOT, "%s %s on %s, batch %d, %d steps after %d warm-up: %.1f img/s, %.2f ms/step, %.1f MiB %s%n",
            ir.name(), inference ? "inference" : "training", backend.name() + (tf32 ? " (TF32)" : "") + (graphs && replayed ? " with CUDA graphs" : ""), batch, steps, warmup, imgPerSec, msPerStep, bytes / 1048576.0,
            opened instanceof CudaBackend ? "on the GPU" : "of tensors in memory");
      }
      if (ops != null) ops.print(out, steps, elapsed);
    }
    return 0;
  }

  /** The CPU backend's kernel benchmark: SGEMM and conv GFLOP/s on VGG-like and LeNet shapes. */
  private static int kernels(PrintStream out, java.util.List<io.nrj.runtime.ConvGeom> shapes) {
    CpuKernelBench.run(out, 0.3, shapes);
    out.flush();
    return 0;
  }
}
