package io.nrj.cli.compare;

import io.nrj.dsl.CompileResult;
import io.nrj.dsl.Counter;
import io.nrj.dsl.NrCompiler;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrModule;
import io.nrj.runtime.checkpoint.Checkpoint;
import io.nrj.runtime.checkpoint.TrainCheckpoints;
import io.nrj.runtime.nr.MixedLayout;
import io.nrj.runtime.nr.ParamsInUse;
import io.nrj.runtime.train.TrainState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What one finished run did, read back from its own files: the per-epoch test top-1 and phases from
 * {@code metrics.csv}, the widths and mixed layout from its final checkpoint (for the parameters in
 * use, spec §12 A3), the wall time from {@code run.properties}. Accuracies are fractions (0.6215),
 * as metrics.csv stores them.
 *
 * @param epochs epochs trained in all
 * @param sparseEpochs epochs before rejuvenation (0 when it never fired or the run has no NR)
 * @param top1 test top-1 per epoch (index 0 is epoch 1)
 * @param survivorTop1 the survivor path's test top-1 after the last epoch (NaN before rejuvenation)
 * @param newTop1 the new path's (NaN before rejuvenation)
 * @param trigger utilization at the trigger: the last sparse epoch's (NaN when none)
 * @param paramsBefore the declared network's parameters
 * @param paramsAfter the final network's parameters (allocated)
 * @param usedParams the final network's parameters in use (cross blocks left out, spec §5.5)
 * @param wallSeconds the training processes' wall time
 */
public record RunSummary(
    RunDir run,
    int epochs,
    int sparseEpochs,
    double[] top1,
    double survivorTop1,
    double newTop1,
    double trigger,
    long paramsBefore,
    long paramsAfter,
    long usedParams,
    double wallSeconds) {

  public double finalTop1() {
    return top1[top1.length - 1];
  }

  public double bestTop1() {
    return Arrays.stream(top1).max().orElse(Double.NaN);
  }

  /** Whether rejuvenation fired in this run. */
  public boolean rejuvenated() {
    return sparseEpochs > 0;
  }

  /** Reads a finished run from its directory (the network is the one its {@code spec.nr} trains). */
  public static RunSummary read(RunDir run) throws IOException {
    CompileResult compiled = NrCompiler.compile(run.spec());
    if (!compiled.ok() || compiled.module().trains().isEmpty()) {
      throw new IllegalArgumentException(run.spec() + ": not a spec written by nrj compare");
    }
    NrModule module = compiled.module();
    NetworkIr network = module.network(module.trains().getFirst().network()).orElseThrow();
    Metrics m = Metrics.read(run.metrics());
    if (m.rows().isEmpty()) throw new IllegalArgumentException(run.metrics() + ": no epochs");
    int sparse = 0;
    double trigger = Double.NaN;
    boolean mixed = false;
    double[] top1 = new double[m.rows().size()];
    for (int i = 0; i < top1.length; i++) {
      List<String> row = m.rows().get(i);
      top1[i] = m.number(row, "test_top1");
      String phase = m.text(row, "phase");
      if (phase.equals("sparse")) {
        sparse++;
        trigger = m.number(row, "utilization");
      }
      mixed |= phase.equals("mixed");
    }
    if (!mixed) {
      sparse = 0;
      trigger = Double.NaN;
    }
    List<String> last = m.rows().getLast();
    Checkpoint c = Checkpoint.read(run.checkpoint());
    TrainState state = TrainCheckpoints.toTrainState(run.checkpoint(), c);
    MixedLayout layout = state.layout();
    return new RunSummary(
        run, top1.length, sparse, top1, m.number(last, "test_top1_survivor"), m.number(last, "test_top1_new"), trigger,
        Counter.count(network).params(), Counter.count(network, c.widths()).params(), ParamsInUse.of(network, c.widths(), layout), run.wallSeconds());
  }

  /** metrics.csv as rows of cells, with its header's column names. */
  record Metrics(Path file, List<String> header, List<List<String>> rows) {
    static Metrics read(Path file) throws IOException {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      if (lines.isEmpty()) throw new IllegalArgumentException(file + ": empty");
      List<String> header = List.of(lines.getFirst().split(",", -1));
      List<List<String>> rows = new ArrayList<>();
      for (String line : lines.subList(1, lines.size())) {
        if (line.isBlank()) continue;
        List<String> cells = List.of(line.split(",", -1));
        if (cells.size() != header.size()) {
          throw new IllegalArgumentException(file + ": a row has " + cells.size() + " cells, the header " + header.size());
        }
        rows.add(cells);
      }
      return new Metrics(file, header, rows);
    }

    String text(List<String> row, String column) {
      int i = header.indexOf(column);
      if (i < 0) throw new IllegalArgumentException(file + ": no column '" + column + "'");
      return row.get(i);
    }

    /** The cell as a number; an empty cell is NaN. */
    double number(List<String> row, String column) {
      String v = text(row, column);
      if (v.isEmpty()) return Double.NaN;
      try {
        return Double.parseDouble(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(file + ": column '" + column + "' holds '" + v + "', not a number");
      }
    }
  }
}
