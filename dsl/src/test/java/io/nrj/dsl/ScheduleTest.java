package io.nrj.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.nrj.dsl.ir.NrSettings;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.TrainIr;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Schedules resolve every knob of spec §2 to §7, with the authors' defaults where not written. */
class ScheduleTest {
  private static final String SOURCE = "s.nr";

  @Test
  void emptyScheduleGetsTheCifarScriptDefaultsAndNoNr() {
    ScheduleIr s = Specs.compileOk(SOURCE, "schedule s { }").schedule("s").orElseThrow();
    assertEquals(
        new ScheduleIr(
            "s", 300, 64, 100, new ScheduleIr.Sgd(0.1, 0.9, 1e-4), List.of(150, 225), 0.1,
            ScheduleIr.Augment.NONE, ScheduleIr.Normalize.NONE, null, ScheduleIr.Precision.FP32, null,
            s.location()),
        s);
  }

  @Test
  void emptyRejuvenateBlockGetsTheCifarNrDefaults() {
    NrSettings nr = Specs.compileOk(SOURCE, "schedule s { rejuvenate { } }").schedule("s").orElseThrow().nr();
    assertEquals(
        new NrSettings(
            new NrSettings.FixedSparsity(1e-4), 0.25, NrSettings.Measure.PARAMS, 0.01, 1e-3,
            NrSettings.ExpandRule.SQRT, 0.5, NrSettings.CrossMode.REMOVED, 0, NrSettings.BnRestoreMode.QUIRK, false),
        nr);
  }

  @Test
  void everyKnobCanBeWritten() {
    String source =
        """
        schedule s {
          dataset cifar100  epochs 20  batch 32  test_batch 50
          sgd lr 0.05 momentum 0.8 weight_decay 5e-4
          lr_steps 5 10 15 gamma 0.2
          augment crop 24 pad 2 flip resized_crop 20 resize 28
          normalize mean 0.5 0.4 0.3 std 0.2 0.25 0.3
          precision tf32
          rejuvenate {
            sparsity adaptive start 1e-5 step 2e-5 threshold 0.02
            target 0.4  measure flops  live_threshold 0.02  dead_threshold 1e-4
            expand floor_sqrt  new_gamma 0.25  cross attention
            bn_restore 0.5 mode corrected  compress_only
          }
        }
        """;
    CompileResult r = NrCompiler.compile(SOURCE, source);
    assertEquals(
        "line 11:5: [NR-DSL-405] with 'expand floor_sqrt' and target 0.4 the expand rate can be 1, which adds no"
            + " neurons (spec 12 C3) | help: use a target of at most 0.25 with floor_sqrt",
        ErrorTableTest.describe(r.diagnostics()));
    ScheduleIr s = r.module().schedule("s").orElseThrow();
    assertEquals("cifar100", s.dataset());
    assertEquals(List.of(20, 32, 50), List.of(s.epochs(), s.batch(), s.testBatch()));
    assertEquals(new ScheduleIr.Sgd(0.05, 0.8, 5e-4), s.sgd());
    assertEquals(List.of(5, 10, 15), s.lrSteps());
    assertEquals(0.2, s.gamma());
    assertEquals(new ScheduleIr.Augment(24, 2, true, 20, 28), s.augment());
    assertEquals(new ScheduleIr.Normalize(List.of(0.5, 0.4, 0.3), List.of(0.2, 0.25, 0.3)), s.normalize());
    assertEquals(ScheduleIr.Precision.TF32, s.precision());
    assertEquals(
        new NrSettings(
            new NrSettings.AdaptiveSparsity(1e-5, 2e-5, 0.02), 0.4, NrSettings.Measure.FLOPS, 0.02, 1e-4,
            NrSettings.ExpandRule.FLOOR_SQRT, 0.25, NrSettings.CrossMode.ATTENTION, 0.5,
            NrSettings.BnRestoreMode.CORRECTED, true),
        s.nr());
  }

  @Test
  void imagenetSpecsCarryTheTwoStepRecipe() {
    var m = Specs.compileSpec("vgg16_nr.nr");
    ScheduleIr s = m.schedule("vgg16_imagenet").orElseThrow();
    assertEquals(List.of(100, 128, 100), List.of(s.epochs(), s.batch(), s.testBatch()));
    assertEquals(List.of(30, 60, 90), s.lrSteps());
    assertEquals(new ScheduleIr.Augment(0, 0, true, 224, 256), s.augment());
    assertEquals(new NrSettings.AdaptiveSparsity(0, 5e-5, 0.01), s.nr().sparsity());
    assertEquals(0.5, s.nr().target());
    assertEquals(NrSettings.CrossMode.ATTENTION, s.nr().cross());
    assertEquals(0.5, s.nr().bnRestore());
    assertEquals(List.of("vgg16_nr", "vgg16_imagenet"), List.of(m.trains().getFirst().network(), m.trains().getFirst().schedule()));
  }

  @Test
  void cifarSpecsCarryTheirModelsLambda() {
    assertEquals(new NrSettings.FixedSparsity(1.5e-4), Specs.compileSpec("vgg19_nr.nr").schedules().getFirst().nr().sparsity());
    assertEquals(new NrSettings.FixedSparsity(1.5e-4), Specs.compileSpec("resnet164_nr.nr").schedules().getFirst().nr().sparsity());
    ScheduleIr dense = Specs.compileSpec("densenet_bc100_k40_nr.nr").schedules().getFirst();
    assertEquals(new NrSettings.FixedSparsity(1e-4), dense.nr().sparsity());
    assertEquals(NrSettings.ExpandRule.FLOOR_SQRT, dense.nr().expand());
    assertEquals(new ScheduleIr.Augment(32, 4, true, 0, 0), dense.augment());
  }

  @Test
  void lenetScheduleIsTheMnistRecipe() {
    var m = Specs.compileSpec("lenet5.nr");
    ScheduleIr s = m.schedule("lenet_mnist").orElseThrow();
    assertEquals("mnist", s.dataset());
    assertEquals(new ScheduleIr.Sgd(0.05, 0.9, 5e-4), s.sgd());
    assertEquals(List.of(5, 7), s.lrSteps());
    assertEquals(new NrSettings.FixedSparsity(5e-3), s.nr().sparsity());
    assertEquals(0.5, s.nr().target());
    assertEquals("lenet5", m.trains().getFirst().network());
    TrainIr t = m.trains().getFirst();
    assertEquals("lenet_mnist", t.schedule());
    assertNull(Specs.compileOk(SOURCE, "schedule s { epochs 3 }").schedule("s").orElseThrow().nr());
  }
}
