package io.nrj.cli;

import io.nrj.dsl.NrPrinter;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.export.InferenceGraph;
import io.nrj.export.InferenceGraphBuilder;
import io.nrj.export.TrainedNetwork;
import io.nrj.export.onnx.OnnxWriter;
import io.nrj.export.torch.TorchModuleWriter;
import io.nrj.runtime.io.AtomicFiles;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code nrj export CKPT --out FILE [--format nr|onnx|torch] ...}: the checkpoint's network, at
 * the widths it was saved at (after rejuvenation too), as
 *
 * <ul>
 *   <li>{@code nr} (default): its architecture as a {@code .nr} file that {@code nrj check} accepts
 *       ({@code --name} renames the network);
 *   <li>{@code onnx}: an ONNX model computing what {@code nrj eval} computes, BN folded into the
 *       convolutions unless {@code --no-fold-bn}, the schedule's input normalisation baked in
 *       with {@code --with-normalize};
 *   <li>{@code torch}: a PyTorch module file that loads the checkpoint with {@code strict=True}.
 * </ul>
 *
 * A checkpoint that cannot be exported exits 1 with a message naming the tensor or layer, and no
 * file is written.
 */
@Command(
    name = "export",
    description = {
      "Write a checkpoint's network, at the widths it was saved at: as .nr, ONNX or a PyTorch module.",
      "nr: the architecture, which nrj check accepts; onnx: a model computing what nrj eval computes;",
      "torch: a module file that loads the checkpoint with strict=True."
    })
final class ExportCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;
  @ParentCommand private Main nrj;

  @Parameters(paramLabel = "CKPT", description = "a checkpoint nrj train wrote")
  private Path checkpoint;

  @Option(names = "--out", required = true, paramLabel = "FILE", order = 1, description = "the file to write")
  private Path outFile;

  @Option(names = "--format", paramLabel = "nr|onnx|torch", defaultValue = "nr", order = 2,
      completionCandidates = Formats.class, description = "what to write (default: ${DEFAULT-VALUE})")
  private String format;

  @Option(names = "--name", paramLabel = "NAME", order = 3,
      description = "nr only: the network's name in the file (default: the checkpoint's)")
  private String name;

  @Option(names = "--no-fold-bn", order = 4, description = "onnx only: keep BatchNorm nodes instead of folding them into the convolutions")
  private boolean noFoldBn;

  @Option(names = "--with-normalize", order = 5, description = "onnx only: bake the schedule's input normalisation into the model")
  private boolean withNormalize;

  /** Completion candidates of {@code --format}. */
  static final class Formats extends java.util.ArrayList<String> {
    Formats() {
      super(List.of("nr", "onnx", "torch"));
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintStream out = nrj.out();
    if (!List.of("nr", "onnx", "torch").contains(format)) {
      throw CommandSupport.usage(spec, "--format must be nr, onnx or torch, got '" + format + "'");
    }
    if (name != null && !format.equals("nr")) throw CommandSupport.usage(spec, "--name applies to --format nr only");
    if (noFoldBn && !format.equals("onnx")) throw CommandSupport.usage(spec, "--no-fold-bn applies to --format onnx only");
    if (withNormalize && !format.equals("onnx")) {
      throw CommandSupport.usage(spec, "--with-normalize applies to --format onnx only");
    }
    CheckpointModel m = CheckpointModel.read(checkpoint);
    switch (format) {
      case "onnx" -> onnx(m, outFile, !noFoldBn, withNormalize, out);
      case "torch" -> torch(m, outFile, out);
      default -> {
        String network = name != null ? name : m.ir().name();
        AtomicFiles.writeString(outFile, NrPrinter.print(m.ir(), m.widths(), network));
        out.println("wrote " + outFile + ": network " + network + " at widths " + m.widths());
      }
    }
    return 0;
  }

  private static InferenceGraph graph(CheckpointModel m) {
    ScheduleIr s = m.schedule();
    return InferenceGraphBuilder.build(
        new TrainedNetwork(
            m.file(), m.ir(), m.widths(), m.layout(), m.checkpoint().model(),
            s == null ? ScheduleIr.Normalize.NONE : s.normalize(), m.checkpoint().epoch()));
  }

  private static void onnx(CheckpointModel m, Path outFile, boolean fold, boolean withNormalize, PrintStream out)
      throws Exception {
    InferenceGraph g = graph(m);
    OnnxWriter.write(OnnxWriter.model(g, new OnnxWriter.Options(fold, withNormalize)), outFile);
    out.println("wrote " + outFile + ": " + g.description());
    out.println(
        "  ONNX opset " + OnnxWriter.OPSET + ", BatchNorm " + (fold ? "folded into the convolutions" : "kept")
            + "; input '" + OnnxWriter.INPUT + "' (N, " + g.input().channels() + ", " + g.input().height() + ", "
            + g.input().width() + ") float32: " + inputNote(g, withNormalize));
    out.println(
        "  output '" + OnnxWriter.LOGITS + "' (N, " + g.classes() + ")"
            + (g.mixed()
                ? ", and '" + OnnxWriter.SURVIVOR_LOGITS + "', '" + OnnxWriter.NEW_LOGITS + "' (their sum is the logits)"
                : ""));
  }

  private static String inputNote(InferenceGraph g, boolean withNormalize) {
    InferenceGraph.Normalization n = g.normalization();
    if (n == null) {
      return "pixels / 255 (the schedule normalises nothing" + (withNormalize ? ", so there was nothing to bake in)" : ")");
    }
    if (withNormalize) return "pixels / 255 (the schedule's normalisation is baked in)";
    return "(pixels / 255 - mean) / std with the schedule's mean " + java.util.Arrays.toString(n.mean()) + " and std "
        + java.util.Arrays.toString(n.std()) + " (--with-normalize bakes it in)";
  }

  private static void torch(CheckpointModel m, Path outFile, PrintStream out) throws Exception {
    InferenceGraph g = graph(m);
    AtomicFiles.writeString(outFile, TorchModuleWriter.source(g));
    String cls = TorchModuleWriter.className(g.network());
    out.println("wrote " + outFile + ": class " + cls + ", " + g.description());
    out.println(
        "  model = " + cls + "(); model.load_state_dict(load_nrj_checkpoint(\"" + m.file() + "\"), strict=True);"
            + " model.eval()");
  }
}
