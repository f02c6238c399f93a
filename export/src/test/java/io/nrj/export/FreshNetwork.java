package io.nrj.export;

import io.nrj.dsl.NrCompiler;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.cpu.CpuBackend;
import io.nrj.runtime.model.GraphNetwork;
import java.nio.file.Path;

/** An untrained network (the runtime's initial tensors) from a {@code .nr} source, for tests of names and limits. */
public final class FreshNetwork {
  private FreshNetwork() {}

  /** The first network of {@code source} as if read from {@code <name>.safetensors}. */
  public static TrainedNetwork of(String name, String source) {
    NetworkIr ir = NrCompiler.compile(name + ".nr", source).module().networks().getFirst();
    HostParams p;
    try (CpuBackend b = new CpuBackend(1, false);
        GraphNetwork g = new GraphNetwork(b, ir, 1)) {
      p = g.exportParams();
    }
    return new TrainedNetwork(Path.of(name + ".safetensors"), ir, ir.widths(), null, p, ScheduleIr.Normalize.NONE, 0);
  }
}
