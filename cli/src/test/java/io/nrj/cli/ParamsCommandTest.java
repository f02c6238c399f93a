package io.nrj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code nrj params}: the acceptance table of the foundation issue, through the CLI. */
class ParamsCommandTest {
  @TempDir Path dir;

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
  void jsonGivesExactlyOneObjectWithTheSpecCounts(String network, long params, long weights, long macs) {
    CliRun r = CliRun.of("params", CliRun.spec(network + ".nr"), "--json");
    assertEquals(0, r.code(), r.err());
    assertEquals(
        "{\"network\":\"" + network + "\",\"params\":" + params + ",\"conv_weights\":" + weights
            + ",\"conv_macs\":" + macs + "}\n",
        r.out());
  }

  @Test
  void textOutputGroupsDigits() {
    CliRun r = CliRun.of("params", CliRun.spec("vgg19_nr.nr"));
    assertEquals(0, r.code());
    assertEquals("vgg19_nr: params 20,035,018  conv_weights 20,018,880  conv_macs 2,606,432,256\n", r.out());
  }

  @Test
  void layersTableListsEveryNodeThenTheTotal() {
    CliRun r = CliRun.of("params", CliRun.spec("lenet5.nr"), "--layers");
    assertEquals(0, r.code());
    String[] lines = r.out().split("\n");
    assertEquals(8, lines.length, r.out());
    assertTrue(lines[0].startsWith("layer"), lines[0]);
    assertTrue(lines[1].matches("features\\.0 +conv +1x28x28 +20x24x24 +540 +500 +288,000"), lines[1]);
    assertTrue(lines[6].matches("classifier +classifier +500x1x1 +10x1x1 +5,010 +0 +0"), lines[6]);
    assertEquals("lenet5: params 431,650  conv_weights 425,500  conv_macs 2,288,000", lines[7]);
  }

  @Test
  void networkOptionSelectsOneAndUnknownNetworkIsAUserError() throws IOException {
    Path two = dir.resolve("two.nr");
    Files.writeString(
        two,
        """
        network a { input 1x4x4 classes 2 conv 3 k3 classifier }
        network b { input 1x4x4 classes 2 classifier }
        """);
    CliRun both = CliRun.of("params", two.toString(), "--json");
    assertEquals(2, both.out().lines().count());
    CliRun b = CliRun.of("params", two.toString(), "--network", "b", "--json");
    assertEquals("{\"network\":\"b\",\"params\":4,\"conv_weights\":0,\"conv_macs\":0}\n", b.out());
    CliRun missing = CliRun.of("params", two.toString(), "--network", "c");
    assertEquals(1, missing.code());
    assertEquals("nrj params: no network 'c' in " + two + "; it defines: a, b\n", missing.err());
  }

  @Test
  void invalidFileIsAUserErrorWithDiagnostics() throws IOException {
    Path bad = dir.resolve("bad.nr");
    Files.writeString(bad, "network a { input 1x4x4 classes 2 conv 3 k9 pad 0 classifier }\n");
    CliRun r = CliRun.of("params", bad.toString());
    assertEquals(1, r.code());
    assertEquals("", r.out());
    assertTrue(r.err().startsWith(bad + ":1:42: error: [NR-DSL-301] conv kernel 9 is larger than"), r.err());
  }

  @Test
  void usageErrorsExitTwo() {
    assertEquals(2, CliRun.of("params").code());
    assertEquals(2, CliRun.of("params", "a.nr", "b.nr").code());
    assertEquals(2, CliRun.of("params", "a.nr", "--network").code());
    assertEquals(2, CliRun.of("params", "a.nr", "--bogus").code());
    assertEquals(2, CliRun.of("params", "a.nr", "--json", "--layers").code());
  }
}
