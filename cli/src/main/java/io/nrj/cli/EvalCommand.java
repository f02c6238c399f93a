package io.nrj.cli;

import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.runtime.Backend;
import io.nrj.runtime.data.DataSet;
import io.nrj.runtime.data.DataSets;
import io.nrj.runtime.io.InputFileException;
import io.nrj.runtime.model.GraphNetwork;
import io.nrj.runtime.train.Evaluator;
import io.nrj.runtime.train.LoaderBatchSource;
import io.nrj.runtime.train.TrainJob;
import io.nrj.runtime.train.Tally;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * {@code nrj eval --checkpoint CKPT --data PATH [--device D] [--precision P] [--batch B]}: evaluates a checkpoint
 * on the test split (BN in eval mode): loss, top-1 and top-5, and each path's top-1 after
 * rejuvenation.
 */
final class EvalCommand {
  static final String USAGE = "eval --checkpoint CKPT --data PATH|mnist [--device auto|cpu|cuda] [--precision fp32|tf32] [--batch B]";

  private EvalCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err) {
    return CommandSupport.guarded("eval", USAGE, err, () -> eval(args, out, err));
  }

  private static int eval(String[] args, PrintStream out, PrintStream err) throws Exception {
    Flags f = Flags.parse("eval", args, Set.of("--checkpoint", "--data", "--device", "--precision", "--batch"), Set.of());
    if (!f.positional().isEmpty()) throw new Flags.UsageException("unexpected argument '" + f.positional().getFirst() + "'");
    Path checkpoint = Path.of(f.require("--checkpoint"));
    CheckpointModel m = CheckpointModel.read(checkpoint);
    DataSet data = DataSets.open(f.require("--data"));
    ScheduleIr s = m.schedule();
    ScheduleIr.Augment aug = s == null ? ScheduleIr.Augment.NONE : s.augment();
    ScheduleIr.Normalize norm = s == null ? ScheduleIr.Normalize.NONE : s.normalize();
    int batch = f.positiveInt("--batch", s == null ? 100 : s.testBatch());
    try (Backend backend = CommandSupport.openDevice(f.get("--device", "auto"), f.get("--precision"), s == null ? null : s.precision());
        GraphNetwork net = m.network(backend);
        LoaderBatchSource test = new LoaderBatchSource(data.test(), false, aug, norm)) {
      TrainJob.checkShapes(m.ir(), test, data);
      Tally t = Evaluator.evaluate(net, test, batch);
      if (!Double.isFinite(t.loss())) {
        // Non-finite logits make every accuracy meaningless (NaN compares false, so top-k "hits").
        throw new InputFileException(
            checkpoint, "the network's outputs are not finite on the test images of " + data + " (loss " + t.loss()
                + "); no accuracy can be reported");
      }
      out.printf(
          Locale.ROOT, "%s epoch %d on %d test images of %s: loss %.4f  top1 %.2f%%  top5 %.2f%%%n", m.ir().name(),
          m.checkpoint().epoch(), t.samples(), data, t.loss(), 100 * t.top1(), 100 * t.top5());
      if (t.mixed()) {
        out.printf(Locale.ROOT, "survivor top1 %.2f%%  new top1 %.2f%%%n", 100 * t.survivorTop1(), 100 * t.newTop1());
      }
    }
    return 0;
  }
}
