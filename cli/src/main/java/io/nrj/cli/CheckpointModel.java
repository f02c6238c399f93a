package io.nrj.cli;

import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrModule;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.Widths;
import io.nrj.runtime.Backend;
import io.nrj.runtime.checkpoint.Checkpoint;
import io.nrj.runtime.checkpoint.CheckpointException;
import io.nrj.runtime.model.GraphNetwork;
import io.nrj.runtime.nr.MixedLayout;
import io.nrj.runtime.nr.NrEngine;
import java.nio.file.Path;

/**
 * A checkpoint's network rebuilt from the {@code .nr} source it carries: the IR, its schedule (null
 * if the run had none), and the widths and mixed layout it was saved at.
 */
record CheckpointModel(Path file, Checkpoint checkpoint, NetworkIr ir, ScheduleIr schedule, MixedLayout layout) {
  static CheckpointModel read(Path file) {
    Checkpoint c = Checkpoint.read(file);
    String name = c.extra().getOrDefault("nr_file", file.getFileName() + ":nr_source");
    NrModule m;
    try {
      m = CommandSupport.compile(name, c.nrSource());
    } catch (UserException e) {
      throw new CheckpointException(file, "its nr_source does not compile: " + e.getMessage());
    }
    NetworkIr ir =
        m.network(c.network())
            .orElseThrow(() -> new CheckpointException(file, "its nr_source has no network '" + c.network() + "'"));
    ScheduleIr schedule = m.schedule(c.schedule()).orElse(null);
    MixedLayout layout = null;
    if (schedule != null) {
      try {
        layout = NrEngine.restore(ir, schedule, c.nrState(), c.optimizer().step()).layout();
      } catch (RuntimeException e) {
        throw new CheckpointException(file, "its nr_state cannot be read: " + e.getMessage(), e);
      }
    }
    return new CheckpointModel(file, c, ir, schedule, layout);
  }

  Widths widths() {
    return checkpoint.widths();
  }

  /** The network at the checkpoint's widths and layout with its tensors loaded. */
  GraphNetwork network(Backend backend) {
    GraphNetwork net = new GraphNetwork(backend, ir, 0);
    try {
      net.replan(widths(), layout, checkpoint.model());
    } catch (IllegalArgumentException e) {
      net.close();
      throw new CheckpointException(file, e.getMessage());
    }
    return net;
  }
}
