package io.nrj.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nrj.dsl.CompileResult;
import io.nrj.dsl.Counter;
import io.nrj.dsl.Diagnostic;
import io.nrj.dsl.DiagnosticRenderer;
import io.nrj.dsl.NrCompiler;
import io.nrj.dsl.SourceFiles;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.runtime.io.JsonCodec;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code nrj params FILE [--network N] [--json] [--layers]}: per network, {@code params} (what the
 * authors' scripts print), {@code conv_weights} (the utilization denominator) and {@code conv_macs}
 * (the FLOPs denominator), spec §4 and §8.8. {@code --json} prints exactly one JSON object per line
 * with the keys network, params, conv_weights and conv_macs; {@code --layers} adds a per-layer table
 * (text output only).
 */
@Command(
    name = "params",
    description = {
      "Count each network's parameters, conv_weights and conv_macs.",
      "conv_weights is the utilization denominator, conv_macs the one in FLOPs mode (NR-conv multiply-adds)."
    })
final class ParamsCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;
  @ParentCommand private Main nrj;

  @Parameters(paramLabel = "FILE", description = "the .nr file")
  private String file;

  @Option(names = "--network", paramLabel = "N", description = "only this network (default: every network in FILE)")
  private String network;

  @Option(names = "--json", description = "one JSON object per network: network, params, conv_weights, conv_macs")
  private boolean json;

  @Option(names = "--layers", description = "a per-layer table before each total (text output only)")
  private boolean layers;

  @Override
  public Integer call() {
    PrintStream out = nrj.out();
    PrintStream err = nrj.err();
    if (json && layers) {
      throw new ParameterException(spec.commandLine(), "--layers is for the text output; it cannot be combined with --json");
    }
    String source;
    try {
      source = CheckCommand.read(file);
    } catch (SourceFiles.UnreadableException e) {
      err.print(DiagnosticRenderer.render(e.diagnostic(), null));
      return 1;
    }
    CompileResult result = NrCompiler.compile(file, source);
    for (Diagnostic d : result.diagnostics()) err.print(DiagnosticRenderer.render(d, source));
    if (!result.ok()) return 1;
    List<NetworkIr> networks = result.module().networks();
    if (network != null) {
      String wanted = network;
      networks = networks.stream().filter(n -> n.name().equals(wanted)).toList();
      if (networks.isEmpty()) {
        List<String> names = result.module().networks().stream().map(NetworkIr::name).toList();
        err.println("nrj params: no network '" + wanted + "' in " + file
            + (names.isEmpty() ? " (it defines none)" : "; it defines: " + String.join(", ", names)));
        return 1;
      }
    }
    for (NetworkIr ir : networks) {
      Counter.Counts c = Counter.count(ir);
      if (json) out.println(json(c));
      else {
        if (layers) printLayers(c, out);
        out.printf(Locale.ROOT, "%s: params %,d  conv_weights %,d  conv_macs %,d%n",
            c.network(), c.params(), c.convWeights(), c.convMacs());
      }
    }
    return 0;
  }

  static String json(Counter.Counts c) {
    ObjectNode o = JsonCodec.object();
    o.put("network", c.network()).put("params", c.params()).put("conv_weights", c.convWeights()).put("conv_macs", c.convMacs());
    return JsonCodec.write(o);
  }

  private static void printLayers(Counter.Counts c, PrintStream out) {
    int nameWidth = "layer".length();
    for (Counter.LayerCount l : c.layers()) nameWidth = Math.max(nameWidth, l.name().length());
    String format = "%-" + nameWidth + "s  %-10s  %-12s  %-12s  %,14d  %,14d  %,18d%n";
    out.printf(Locale.ROOT, "%-" + nameWidth + "s  %-10s  %-12s  %-12s  %14s  %14s  %18s%n",
        "layer", "kind", "in", "out", "params", "conv_weights", "conv_macs");
    for (Counter.LayerCount l : c.layers()) {
      out.printf(Locale.ROOT, format, l.name(), l.kind(), l.in(), l.out(), l.params(), l.convWeights(), l.convMacs());
    }
  }
}
