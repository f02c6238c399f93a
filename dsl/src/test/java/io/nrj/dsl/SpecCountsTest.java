package io.nrj.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nrj.dsl.ir.NetworkIr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The exact counts of spec §8.8 (the foundation issue's acceptance table) from the shipped specs. */
class SpecCountsTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "vgg19_nr,              20035018, 20018880,  2606432256",
    "resnet164_nr,           1704154,  1676464,   247644160",
    "densenet_bc100_k40_nr,  8269050,  8236560,  3194019840",
    "vgg16_nr,              37706664, 33584832, 15365505024",
    "resnet18_nr,           11689512, 11166912,  1813561344",
    "resnet34_nr,           21797672, 21267648,  3663249408",
    "resnet50_nr,           25557032, 23454912,  4087136256",
    "resnet101_nr,          44549160, 42394816,  7799357440",
    "densenet121_nr,         7915688,  6870208,  2833137664",
  })
  void shippedSpecGivesSpecCounts(String network, long params, long convWeights, long convMacs) {
    NetworkIr ir = Specs.compileSpec(network + ".nr").network(network).orElseThrow();
    Counter.Counts c = Counter.count(ir);
    assertEquals(params, c.params(), "params");
    assertEquals(convWeights, c.convWeights(), "conv_weights");
    assertEquals(convMacs, c.convMacs(), "conv_macs");
  }

  @ParameterizedTest(name = "{0} with 100 classes")
  @CsvSource({"vgg19_nr, 20081188", "resnet164_nr, 1727284", "densenet_bc100_k40_nr, 8371740"})
  void cifarSpecWithHundredClassesGivesSpecParams(String network, long params) {
    String source = Specs.source(network + ".nr").replace("classes 10\n", "classes 100\n");
    NetworkIr ir = Specs.compileOk(network, source).network(network).orElseThrow();
    assertEquals(100, ir.classes());
    assertEquals(params, Counter.count(ir).params());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"lenet5, 431650, 425500, 2288000"})
  void lenetCounts(String network, long params, long convWeights, long convMacs) {
    // 1*20*25 + 20*50*25 + 50*500*16 = 425,500 conv weights; + 2*(20+50+500) BN + 500*10+10.
    Counter.Counts c = Counter.count(Specs.compileSpec(network + ".nr").network(network).orElseThrow());
    assertEquals(params, c.params());
    assertEquals(convWeights, c.convWeights());
    assertEquals(convMacs, c.convMacs());
  }
}
