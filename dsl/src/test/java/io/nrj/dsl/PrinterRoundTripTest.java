package io.nrj.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.Locations;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrModule;
import io.nrj.dsl.ir.Widths;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** compile(print(ir)) == ir (locations aside), and printing is stable. */
class PrinterRoundTripTest {
  static List<Path> specs() {
    return Specs.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void printedSpecCompilesToTheSameIrAndPrintsTheSame(Path spec) {
    NrModule original = Specs.compileSpec(spec.getFileName().toString());
    String printed = NrPrinter.print(original);
    NrModule reparsed = Specs.compileOk("printed.nr", printed);
    assertEquals(Locations.strip(original), Locations.strip(reparsed));
    assertEquals(printed, NrPrinter.print(reparsed));
  }

  @Test
  void printsAReadableFlatNetwork() {
    String source =
        """
        block basic(planes, stride = 1) {
          residual project {
            conv1: conv planes k3 stride stride
            conv2: conv planes k3 norelu
          }
          relu
        }
        network tiny {
          input 3x8x8
          classes 4
          stem: conv 8 k3 input fixed
          layer1: basic(16, 2)
          maxpool 2 stride 1
          dense { conv 4 k1 split }
          classifier
        }
        """;
    assertEquals(
        """
        network tiny {
          input 3x8x8
          classes 4
          bn_gamma 1
          classifier_init normal

          stem: conv 8 k3 input fixed
          layer1.conv1: conv 16 k3 stride 2
          layer1.conv2: conv 16 k3 norelu fixed
          layer1.downsample: conv 16 k1 stride 2 norelu fixed from stem
          layer1.0: add layer1.conv2, layer1.downsample
          layer1.4: relu
          features.2: maxpool 2 stride 1
          features.4: conv 4 k1 split
          features.3: concat features.2, features.4
          classifier
        }
        """,
        NrPrinter.print(Specs.compileOk("tiny.nr", source)));
  }

  @Test
  void roundTripsKeywordLikeNamesExplicitWiringAndEveryOption() {
    String source =
        """
        network target {
          input 2x9x9
          classes 3
          bn_gamma 0.25
          classifier_init he
          a: conv 4 k3 input
          stride: conv 4 k1 stride 2 pad 1 fixed
          mean: maxpool 3 stride 2 pad 1 from a
          avgpool 2 stride 1 from stride
          b: relu from mean
          c: conv 4 k1 stride 2 norelu split from image
          add a, a
          concat b, c
          head: classifier from features.3
        }
        schedule mode { lr_steps gamma 1 sgd lr 1e-3 momentum 0 weight_decay 0 augment pad 3 resize 9 }
        train target with mode
        """;
    NrModule m = Specs.compileOk("odd.nr", source);
    String printed = NrPrinter.print(m);
    NrModule again = Specs.compileOk("odd2.nr", printed);
    assertEquals(Locations.strip(m), Locations.strip(again));
    assertEquals(printed, NrPrinter.print(again));
  }

  @Test
  void printsOtherWidthsAndANewName() {
    NetworkIr ir = Specs.compileSpec("resnet18_nr.nr").network("resnet18_nr").orElseThrow();
    int[] doubled = ir.widths().toArray();
    for (int i = 0; i < doubled.length; i++) doubled[i] *= 2;
    Widths widths = new Widths(doubled);
    String printed = NrPrinter.print(ir, widths, "resnet18_wide");
    NetworkIr wide = Specs.compileOk("wide.nr", printed).network("resnet18_wide").orElseThrow();
    assertEquals(widths, wide.widths());
    Counter.Counts expected = Counter.count(ir, widths);
    Counter.Counts actual = Counter.count(wide);
    assertEquals(List.of(expected.params(), expected.convWeights(), expected.convMacs()),
        List.of(actual.params(), actual.convWeights(), actual.convMacs()));
    assertEquals(expected.layers(), actual.layers());
    // everything but the name and the channel counts is the same
    assertEquals(ir.nodes().size(), wide.nodes().size());
    for (int i = 0; i < ir.nodes().size(); i++) {
      IrNode a = Locations.strip(ir.nodes().get(i));
      IrNode b = Locations.strip(wide.nodes().get(i));
      assertEquals(a.name(), b.name());
      assertEquals(a.inputs(), b.inputs());
      assertEquals(a.getClass(), b.getClass());
      assertEquals(a.out().height(), b.out().height());
    }
  }

  @Test
  void refusesADeletedLayerAndAWrongTable() {
    NetworkIr ir = Specs.compileSpec("lenet5.nr").network("lenet5").orElseThrow();
    assertEquals(
        "conv 'features.2' has width 0; it cannot be written",
        assertThrows(IllegalArgumentException.class, () -> NrPrinter.print(ir, ir.widths().with(1, 0), "x")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> NrPrinter.print(ir, new Widths(new int[] {1}), "x"));
  }
}
