package io.nrj.tests.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.CompileResult;
import io.nrj.dsl.Counter;
import io.nrj.dsl.NrCompiler;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The specs docs/experiments.md runs compile cleanly and are the sizes the doc states. */
class ExperimentSpecsTest {
  static Path dir() throws URISyntaxException {
    return Path.of(ExperimentSpecsTest.class.getResource("/experiments").toURI());
  }

  @Test
  void everyExperimentSpecCompilesWithoutDiagnostics() throws IOException, URISyntaxException {
    List<Path> specs;
    try (Stream<Path> s = Files.list(dir())) {
      specs = s.filter(p -> p.toString().endsWith(".nr")).sorted().toList();
    }
    assertTrue(specs.size() >= 3, specs.toString());
    for (Path p : specs) {
      CompileResult r = NrCompiler.compile(p);
      assertTrue(r.ok() && r.diagnostics().isEmpty(), p + ": " + r.diagnostics());
    }
  }

  @Test
  void theTopHeavyVggHasItsWeightsInTheLastStage() throws IOException, URISyntaxException {
    CompileResult r = NrCompiler.compile(dir().resolve("cifar_top_heavy_vgg.nr"));
    Counter.Counts c = Counter.count(r.module().network("cifar_top_heavy_vgg").orElseThrow());
    assertEquals(202_874, c.params());
    assertEquals(200_880, c.convWeights());
    long last = c.layers().stream().filter(l -> l.name().equals("features.6") || l.name().equals("features.7"))
        .mapToLong(Counter.LayerCount::convWeights).sum();
    assertEquals(184_320, last); // 92 % of the conv weights
  }
}
