package io.nrj.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.nrj.dsl.SourceLocation;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.ScheduleIr.Augment;
import io.nrj.dsl.ir.ScheduleIr.Normalize;
import io.nrj.dsl.ir.Shape;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleLoadersTest {
  static ScheduleIr schedule(Augment a, Normalize n) {
    return new ScheduleIr("quick", 2, 64, 100, new ScheduleIr.Sgd(0.1, 0.9, 1e-4), List.of(1), 0.1, a, n, "mnist",
        ScheduleIr.Precision.FP32, null, SourceLocation.UNKNOWN);
  }

  @Test
  void buildsLoadersFromASchedule() {
    DataSet mnist = DataSets.open("mnist");
    ScheduleIr s = schedule(new Augment(28, 2, false, 0, 0), new Normalize(List.of(0.1307), List.of(0.3081)));
    try (BatchLoader train = BatchLoader.training(mnist, s, new Shape(1, 28, 28), 1);
        BatchLoader test = BatchLoader.evaluation(mnist, s, new Shape(1, 28, 28))) {
      assertEquals(125, train.batchesPerEpoch()); // 8,000 / 64
      assertEquals(20, test.batchesPerEpoch()); // 2,000 / 100
      try (BatchLoader.Epoch e = test.epoch(0)) {
        Batch b = e.next();
        assertEquals(100, b.size());
        // The first test digit's top-left pixel is 0: normalised to -mean/std.
        assertEquals((float) (-0.1307 / 0.3081), b.images()[0], 1e-6f);
      }
    }
  }

  @Test
  void namesADataSetThatDoesNotFitTheNetworkOrSchedule() {
    DataSet mnist = DataSets.open("mnist");
    ScheduleIr s = schedule(Augment.NONE, Normalize.NONE);
    DataException e = assertThrows(DataException.class, () -> BatchLoader.evaluation(mnist, s, new Shape(3, 32, 32)));
    assertEquals("mnist: MNIST samples are 1x28x28 after augmentation but the network's input is 3x32x32", e.getMessage());
    ScheduleIr cifar = schedule(Augment.NONE, AugmentationTest.CIFAR_NORM);
    e = assertThrows(DataException.class, () -> BatchLoader.training(mnist, cifar, new Shape(1, 28, 28), 1));
    assertEquals("mnist: schedule 'quick' does not fit this data set: normalize mean has 3 values but the images"
        + " have 1 channel", e.getMessage());
    assertEquals(Path.of("mnist"), mnist.location());
  }

}
