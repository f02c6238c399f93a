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
import java.util.Set;

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
final class ExportCommand {
  static final String USAGE =
      "export CKPT --out FILE [--format nr|onnx|torch] [--name NAME] [--no-fold-bn] [--with-normalize]";

  private ExportCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err) {
    return CommandSupport.guarded("export", USAGE, err, () -> export(args, out));
  }

  private static int export(String[] args, PrintStream out) throws Exception {
    Flags f =
        Flags.parse("export", args, Set.of("--out", "--name", "--format"), Set.of("--no-fold-bn", "--with-normalize"));
    if (f.positional().size() != 1) {
      throw new Flags.UsageException("expected one checkpoint, got " + f.positional().size());
    }
    String format = f.get("--format", "nr");
    if (!Set.of("nr", "onnx", "torch").contains(format)) {
      throw new Flags.UsageException("--format must be nr, onnx or torch, got '" + format + "'");
    }
    if (f.has("--name") && !format.equals("nr")) throw new Flags.UsageException("--name applies to --format nr only");
    for (String onnxOnly : new String[] {"--no-fold-bn", "--with-normalize"}) {
      if (f.has(onnxOnly) && !format.equals("onnx")) {
        throw new Flags.UsageException(onnxOnly + " applies to --format onnx only");
      }
    }
    Path outFile = Path.of(f.require("--out"));
    CheckpointModel m = CheckpointModel.read(Path.of(f.positional().getFirst()));
    switch (format) {
      case "onnx" -> onnx(m, outFile, !f.has("--no-fold-bn"), f.has("--with-normalize"), out);
      case "torch" -> torch(m, outFile, out);
      default -> {
        String name = f.get("--name", m.ir().name());
        AtomicFiles.writeString(outFile, NrPrinter.print(m.ir(), m.widths(), name));
        out.println("wrote " + outFile + ": network " + name + " at widths " + m.widths());
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
