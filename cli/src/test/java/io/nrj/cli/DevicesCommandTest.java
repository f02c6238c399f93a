package io.nrj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.runtime.cuda.CudaProbe;
import io.nrj.runtime.io.JsonCodec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code nrj devices} reports what this machine has, consistently with what --device auto does. */
class DevicesCommandTest {
  @Test
  void listsTheCpuEveryCudaLibraryAndWhatAutoUses() {
    CliRun r = CliRun.of("devices");
    assertEquals(0, r.code(), r.err());
    List<String> lines = r.out().lines().toList();
    assertTrue(lines.getFirst().matches("cpu: \\d+ threads, (512-bit Vector API|scalar) kernels"), lines.getFirst());
    for (String soname : CudaProbe.LIBRARIES) {
      String line = lines.stream().filter(l -> l.startsWith(soname + ": ")).findFirst().orElseThrow(() -> new AssertionError(soname + " in " + lines));
      // found: "<version>, from <where>"; missing: the lookup's message with every place looked in
      assertTrue(line.contains("from ") || line.contains("missing library " + soname + " (looked in"), line);
    }
    assertEquals("--device auto uses: " + (CudaProbe.probe().usable() ? "cuda" : "cpu"), lines.getLast());
  }

  @Test
  void jsonHasOneEntryPerLibraryAndTheAutoChoice() {
    CliRun r = CliRun.of("devices", "--json");
    assertEquals(0, r.code(), r.err());
    var o = JsonCodec.parse(r.out().strip());
    assertEquals(CudaProbe.LIBRARIES.size(), o.get("libraries").size());
    assertEquals(CudaProbe.probe().usable() ? "cuda" : "cpu", o.get("auto").textValue());
    assertEquals(CudaProbe.probe().usable(), o.get("cuda_usable").booleanValue());
  }

  @Test
  void rejectsArguments() {
    CliRun r = CliRun.of("devices", "gpu");
    assertEquals(2, r.code());
    assertEquals(
        "nrj devices: unexpected argument 'gpu'\nusage: nrj devices [-hV] [--json]\n'nrj devices --help' lists every option\n",
        r.err());
  }
}
