package io.nrj.runtime.train;

import java.io.IOException;
import java.nio.file.Path;

/** Writes a {@link TrainState} as a checkpoint file (atomically), adding the run's fixed metadata. */
@FunctionalInterface
public interface Checkpointer {
  void save(TrainState state, Path file) throws IOException;
}
