package io.nrj.runtime.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.SourceLocation;
import io.nrj.dsl.ir.InitScheme;
import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.Shape;
import io.nrj.runtime.cpu.CpuBackend;
import io.nrj.runtime.data.ArrayImageSet;
import io.nrj.runtime.data.DataSet;
import io.nrj.runtime.data.DataSets;
import io.nrj.runtime.model.GraphNetwork;
import io.nrj.runtime.model.IrBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** LeNet-5 on a subset of the built-in MNIST: the quick-start path, end to end, in one short epoch. */
class MnistLenetTest {
  /** LeNet-5 as generated-examples/src/main/nr/lenet5.nr declares it (built by hand here). */
  static NetworkIr lenet5() {
    IrBuilder b = new IrBuilder("lenet5", new Shape(1, 28, 28));
    int c1 = b.conv(IrNode.IMAGE, 20, 5, 1, 0, true, false);
    int p1 = b.maxPool(c1, 2, 2, 0);
    int c2 = b.conv(p1, 50, 5, 1, 0, true, false);
    int p2 = b.maxPool(c2, 2, 2, 0);
    int fc = b.conv(p2, 500, 4, 1, 0, true, false);
    return b.classifier(fc, 10, new InitScheme(0.5, InitScheme.ClassifierInit.NORMAL_001));
  }

  @Test
  void oneEpochOnTwoThousandDigitsExceedsNinetyPercentOnAThousandTestDigits() throws Exception {
    DataSet mnist = DataSets.builtinMnist();
    ScheduleIr.Normalize norm = new ScheduleIr.Normalize(List.of(0.1307), List.of(0.3081));
    ScheduleIr schedule =
        new ScheduleIr(
            "mnist", 1, 16, 100, new ScheduleIr.Sgd(0.05, 0.9, 5e-4), List.of(), 0.1, ScheduleIr.Augment.NONE,
            norm, "mnist", ScheduleIr.Precision.FP32, null, SourceLocation.UNKNOWN);
    ArrayImageSet train = ((ArrayImageSet) mnist.train()).head(2000);
    try (CpuBackend backend = new CpuBackend();
        GraphNetwork net = new GraphNetwork(backend, lenet5(), 1);
        LoaderBatchSource tr = new LoaderBatchSource(train, true, schedule.augment(), norm);
        LoaderBatchSource te = new LoaderBatchSource(((ArrayImageSet) mnist.test()).head(1000), false, schedule.augment(), norm)) {
      ByteArrayOutputStream log = new ByteArrayOutputStream();
      TrainingLoop.Options o = new TrainingLoop.Options(16, 100, 1, null, false, null, null);
      long t0 = System.nanoTime();
      TrainingLoop.Result r =
          new TrainingLoop(net, new ScheduleControl(schedule, 1), schedule.sgd(), tr, te, o, new PrintStream(log)).run(null);
      System.out.printf("lenet5 1 epoch on 2000 digits: %.1fs, %s", (System.nanoTime() - t0) / 1e9, log);
      assertTrue(r.lastTest().top1() > 0.9, log.toString());
    }
  }
}
