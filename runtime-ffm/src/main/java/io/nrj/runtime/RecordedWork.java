package io.nrj.runtime;

/** Device work recorded by {@link Backend#record}, replayed with one launch (a CUDA graph). */
public interface RecordedWork extends AutoCloseable {
  /** Queues the whole recorded sequence again. */
  void replay();

  @Override
  void close();
}
