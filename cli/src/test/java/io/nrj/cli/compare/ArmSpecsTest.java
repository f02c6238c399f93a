package io.nrj.cli.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.CompileResult;
import io.nrj.dsl.Counter;
import io.nrj.dsl.NrCompiler;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrModule;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.Widths;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The specs each arm of {@code nrj compare} trains, read back through the compiler. */
class ArmSpecsTest {
  static final Path SPECS = Path.of("..", "generated-examples", "src", "main", "nr");

  static NrModule module(String file) throws IOException {
    CompileResult r = NrCompiler.compile(SPECS.resolve(file));
    assertTrue(r.ok(), r.diagnostics().toString());
    return r.module();
  }

  static NrModule compiled(ArmSpecs.Spec spec) {
    CompileResult r = NrCompiler.compile("spec.nr", spec.text());
    assertTrue(r.ok(), r.diagnostics() + "\n" + spec.text());
    return r.module();
  }

  @Test
  void baselinesDropTheRejuvenateBlockAndTheLongOneMovesTheLrSteps() throws IOException {
    NrModule m = module("vgg19_nr.nr");
    NetworkIr vgg = m.networks().getFirst();
    ScheduleIr nr = m.schedules().getFirst(); // 300 epochs, LR steps 150 225, NR
    ArmSpecs specs = new ArmSpecs(vgg, nr, 300);

    ScheduleIr asWritten = compiled(specs.nr()).schedule(nr.name()).orElseThrow();
    assertEquals(nr.nr(), asWritten.nr());
    assertEquals(List.of(150, 225), asWritten.lrSteps());

    ScheduleIr base = compiled(specs.baseline()).schedule(nr.name() + "_baseline").orElseThrow();
    assertEquals(null, base.nr());
    assertEquals(300, base.epochs());
    assertEquals(nr.sgd(), base.sgd());
    assertFalse(specs.baseline().text().contains("rejuvenate"));

    ScheduleIr longer = compiled(specs.baselineLong(12)).schedule(nr.name() + "_baseline_long").orElseThrow();
    assertEquals(312, longer.epochs());
    assertEquals(List.of(162, 237), longer.lrSteps()); // spec §13.7: rejuvenation after 12 epochs

    // --epochs shorter than the steps: steps past the end never fire and are left out
    ScheduleIr short10 = compiled(new ArmSpecs(vgg, nr, 10).baseline()).schedule(nr.name() + "_baseline").orElseThrow();
    assertEquals(List.of(), short10.lrSteps());
  }

  @Test
  void theEqualUsedNetworkIsTheWidestScalingWithinTheBudget() throws IOException {
    NetworkIr vgg = module("vgg19_nr.nr").networks().getFirst();
    long target = 9_990_000; // the README's NR VGG-19 (spec §10)
    Widths w = ArmSpecs.scaledWidths(vgg, target);
    long params = Counter.count(vgg, w).params();
    assertTrue(params <= target && params > 0.99 * target, params + " for " + target);
    // every width scaled by the same factor (up to rounding): equal widths stay equal, 512 / 64 stays 8
    assertEquals(w.get(0), w.get(1));
    assertEquals(Math.round(512 * (w.get(0) / 64.0)), w.get(15), 2);
  }

  @Test
  void scaledResidualNetworksStillAddUp() throws IOException {
    NetworkIr resnet = module("resnet18_nr.nr").networks().getFirst();
    ArmSpecs specs = new ArmSpecs(resnet, module("resnet18_nr.nr").schedules().getFirst(), 1);
    long target = Counter.count(resnet).params() / 2;
    NrModule m = compiled(specs.equalUsed(target)); // compiles: every residual sum still fits
    long params = Counter.count(m.network(resnet.name() + "_equal_used").orElseThrow()).params();
    assertTrue(params <= target && params > 0.95 * target, params + " for " + target);
  }

  @Test
  void aBudgetBelowTheNarrowestNetworkIsAnError() throws IOException {
    NetworkIr vgg = module("vgg19_nr.nr").networks().getFirst();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArmSpecs.scaledWidths(vgg, 100));
    assertEquals("no width scaling of 'vgg19_nr' has at most 100 parameters", e.getMessage());
  }
}
