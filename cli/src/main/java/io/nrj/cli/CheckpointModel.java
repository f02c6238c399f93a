package io.nrj.cli;

import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrModule;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.Widths;
import io.nrj.runtime.Backend;
import io.nrj.runtime.checkpoint.Checkpoint;
import io.nrj.runtime.checkpoint.CheckpointException;
import io.nrj.runtime.checkpoint.CheckpointFit;
import io.nrj.runtime.model.GraphNetwork;
import io.nrj.runtime.nr.MixedLayout;
import java.nio.file.Path;

/**
 * A checkpoint's network rebuilt from the {@code .nr} source it carries and validated against it
 * ({@link CheckpointFit}, the checks {@code train --resume} runs too): the IR, its schedule (null if
 * the source has none of that name), and the widths and mixed layout it was saved at.
 */
record CheckpointModel(CheckpointFit fit) {
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
    return new CheckpointModel(CheckpointFit.check(file, c, ir, schedule));
  }

  Path file() {
    return fit.file();
  }

  Checkpoint checkpoint() {
    return fit.checkpoint();
  }

  /** The mixed layout after rejuvenation, or null before (and without a schedule). */
  MixedLayout layout() {
    return fit.layout();
  }

  NetworkIr ir() {
    return fit.ir();
  }

  ScheduleIr schedule() {
    return fit.schedule();
  }

  Widths widths() {
    return checkpoint().widths();
  }

  /** The network at the checkpoint's widths and layout with its tensors loaded. */
  GraphNetwork network(Backend backend) {
    GraphNetwork net = new GraphNetwork(backend, ir(), 0);
    try {
      net.replan(widths(), layout(), checkpoint().model());
    } catch (IllegalArgumentException e) {
      net.close();
      throw new CheckpointException(fit.file(), e.getMessage());
    }
    return net;
  }
}
