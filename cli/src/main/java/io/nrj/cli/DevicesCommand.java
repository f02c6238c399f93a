package io.nrj.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nrj.runtime.cpu.CpuBackend;
import io.nrj.runtime.cuda.CudaInventory;
import io.nrj.runtime.io.JsonCodec;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code nrj devices [--json]}: what {@code --device} can use here. The CPU backend's threads and
 * kernels; for CUDA, each library with where it was found (or every place looked in) and its
 * version, the driver, each GPU, and what {@code --device auto} picks. Exit 0 either way: it
 * reports, it does not judge.
 */
@Command(
    name = "devices",
    description = {
      "What --device can use here, and what --device auto picks.",
      "The CPU kernels; each CUDA library with its version and where it was found (or every place looked",
      "in), the driver and each GPU."
    })
final class DevicesCommand implements Callable<Integer> {
  @ParentCommand private Main nrj;

  @Option(names = "--json", description = "one JSON object instead of lines")
  private boolean json;

  @Override
  public Integer call() {
    PrintStream out = nrj.out();
    CudaInventory.Inventory inv = CudaInventory.take();
    String auto = inv.usable() ? "cuda" : "cpu";
    if (json) {
      ObjectNode o = JsonCodec.object();
      o.put("cpu", CpuBackend.description());
      ArrayNode libs = o.putArray("libraries");
      for (CudaInventory.Library l : inv.libraries()) {
        libs.addObject().put("soname", l.soname()).put("origin", l.origin()).put("version", l.version()).put("problem", l.problem());
      }
      o.put("driver", inv.driver());
      ArrayNode gpus = o.putArray("gpus");
      for (CudaInventory.Device d : inv.devices()) {
        gpus.addObject()
            .put("device", "cuda:" + d.ordinal())
            .put("arch", "sm_" + d.major() + d.minor())
            .put("multiprocessors", d.multiprocessors())
            .put("free_bytes", d.freeBytes())
            .put("total_bytes", d.totalBytes());
      }
      o.put("cuda_usable", inv.usable());
      ArrayNode problems = o.putArray("problems");
      inv.problems().forEach(problems::add);
      o.put("auto", auto);
      out.println(JsonCodec.write(o));
      return 0;
    }
    out.println("cpu: " + CpuBackend.description());
    for (CudaInventory.Library l : inv.libraries()) {
      out.println(l.origin() == null
          ? l.soname() + ": " + l.problem()
          : l.soname() + ": " + (l.version() == null ? "" : l.version() + ", ") + "from " + l.origin());
    }
    out.println("driver: " + (inv.driver() == null ? "none found" : "CUDA " + inv.driver()));
    for (CudaInventory.Device d : inv.devices()) {
      out.printf(Locale.ROOT, "cuda:%d: sm_%d%d, %d multiprocessors%s%n", d.ordinal(), d.major(), d.minor(),
          d.multiprocessors(), d.totalBytes() < 0 ? "" : String.format(Locale.ROOT, ", %.1f of %.1f GiB free",
              d.freeBytes() / 1073741824.0, d.totalBytes() / 1073741824.0));
    }
    for (String p : inv.problems()) {
      if (p.startsWith("no CUDA device")) out.println(p);
    }
    out.println("--device auto uses: " + auto);
    return 0;
  }
}
