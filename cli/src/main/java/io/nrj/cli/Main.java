package io.nrj.cli;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * The {@code nrj} command: dispatches to one class per sub-command. Exit codes (DESIGN.md): 0 on
 * success, 1 on a user error (with a message, never a stack trace), 2 on a usage error.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs one command; returns its exit code. Used by tests in-process. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      out.print(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    return switch (args[0]) {
      case "check" -> CheckCommand.run(rest, out, err);
      case "params" -> ParamsCommand.run(rest, out, err);
      case "train" -> TrainCommand.run(rest, out, err);
      case "compare" -> CompareCommand.run(rest, out, err);
      case "eval" -> EvalCommand.run(rest, out, err);
      case "grad" -> GradCommand.run(rest, out, err);
      case "bench" -> BenchCommand.run(rest, out, err);
      case "export" -> ExportCommand.run(rest, out, err);
      case "devices" -> DevicesCommand.run(rest, out, err);
      default -> {
        err.println("nrj: unknown command '" + args[0] + "'");
        err.print(USAGE);
        yield 2;
      }
    };
  }

  static final String USAGE =
      """
      usage: nrj <command> [options]

      commands:
        check FILE...                     parse and validate .nr files
        params FILE [--network N] [--json] [--layers]
                                          count parameters, conv weights and conv MACs
        train FILE [--network N] [--schedule S] --data PATH|mnist [--device auto|cpu|cuda]
              [--precision fp32|tf32] [--epochs E] [--batch B] [--seed S] [--out DIR]
              [--resume CKPT] [--interpreted] [--cuda-graphs]
                                          train with Neural Rejuvenation
        compare SPEC [--network N] [--schedule S] --data PATH|mnist [--seeds K] [--epochs E]
              [--out DIR] [--long-baseline] [--equal-used] [--jobs J] [--device D] [--interpreted]
                                          NR against its baseline(s), K seeds each: compare.md, .png
        eval --checkpoint CKPT --data PATH [--device D] [--precision P] [--batch B]
                                          evaluate a checkpoint (loss, top-1, top-5)
        bench FILE --network N [--device D] [--precision P] [--batch B] [--steps K] [--warmup W]
              [--json] [--inference] [--kernels] [--cuda-graphs]
                                          time training steps
        grad FILE --network N --weights W --input X --out G
                                          one forward and backward, gradients to safetensors
        export CKPT --out FILE [--format nr|onnx|torch] [--name NAME] [--no-fold-bn]
               [--with-normalize]
                                          a checkpoint's architecture as .nr, or the trained
                                          network as ONNX or as a PyTorch module
        devices [--json]                  what --device can use: CPU kernels, CUDA libraries,
                                          driver and GPUs
      """;
}
