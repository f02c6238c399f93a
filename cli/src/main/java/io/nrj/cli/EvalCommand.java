package io.nrj.cli;

import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.runtime.Backend;
import io.nrj.runtime.data.DataSet;
import io.nrj.runtime.data.DataSets;
import io.nrj.runtime.io.InputFileException;
import io.nrj.runtime.model.GraphNetwork;
import io.nrj.runtime.train.Evaluator;
import io.nrj.runtime.train.LoaderBatchSource;
import io.nrj.runtime.train.Tally;
import io.nrj.runtime.train.TrainJob;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code nrj eval --checkpoint CKPT --data PATH|mnist [--device D] [--precision P] [--batch B]}:
 * evaluates a checkpoint on the test split (BN in eval mode): loss, top-1 and top-5, and each
 * path's top-1 after rejuvenation.
 */
@Command(
    name = "eval",
    description = {
      "Evaluate a checkpoint on a test split: loss, top-1 and top-5.",
      "After rejuvenation also each path's (survivor, new) top-1."
    })
final class EvalCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;
  @ParentCommand private Main nrj;

  @Option(names = "--checkpoint", required = true, paramLabel = "CKPT", order = 1, description = "a checkpoint nrj train wrote")
  private Path checkpoint;

  @Option(names = "--data", required = true, paramLabel = "PATH|mnist", order = 2,
      description = "the data set whose test split to use (the forms nrj train takes)")
  private String data;

  @Mixin private DeviceOptions device;

  @Option(names = "--batch", paramLabel = "B", order = 22, description = "evaluation batch size (default: the schedule's test batch)")
  private Integer batch;

  @Override
  public Integer call() throws Exception {
    PrintStream out = nrj.out();
    if (batch != null) CommandSupport.positive(spec, "--batch", batch);
    CheckpointModel m = CheckpointModel.read(checkpoint);
    DataSet dataSet = DataSets.open(data);
    ScheduleIr s = m.schedule();
    ScheduleIr.Augment aug = s == null ? ScheduleIr.Augment.NONE : s.augment();
    ScheduleIr.Normalize norm = s == null ? ScheduleIr.Normalize.NONE : s.normalize();
    if (s != null) TrainJob.checkNormalize(s, dataSet);
    int size = batch != null ? batch : s == null ? 100 : s.testBatch();
    try (Backend backend = device.open(s == null ? null : s.precision());
        GraphNetwork net = m.network(backend);
        LoaderBatchSource test = new LoaderBatchSource(dataSet.test(), false, aug, norm)) {
      TrainJob.checkShapes(m.ir(), test, dataSet);
      Tally t = Evaluator.evaluate(net, test, size);
      if (!Double.isFinite(t.loss())) {
        // Non-finite logits make every accuracy meaningless (NaN compares false, so top-k "hits").
        throw new InputFileException(
            checkpoint, "the network's outputs are not finite on the test images of " + dataSet + " (loss " + t.loss()
                + "); no accuracy can be reported");
      }
      out.printf(
          Locale.ROOT, "%s epoch %d on %d test images of %s: loss %.4f  top1 %.2f%%  top5 %.2f%%%n", m.ir().name(),
          m.checkpoint().epoch(), t.samples(), dataSet, t.loss(), 100 * t.top1(), 100 * t.top5());
      if (t.mixed()) {
        out.printf(Locale.ROOT, "survivor top1 %.2f%%  new top1 %.2f%%%n", 100 * t.survivorTop1(), 100 * t.newTop1());
      }
    }
    return 0;
  }
}
