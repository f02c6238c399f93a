package io.nrj.runtime.cuda;

import java.lang.foreign.MemorySegment;

/**
 * The cuDNN scratch buffer shared by every convolution: grown (never shrunk) to the largest
 * requirement of the algorithms chosen so far. Growing happens while planning a shape, before the
 * first call that needs it, so a captured CUDA graph never sees a reallocation.
 */
final class Workspace implements AutoCloseable {
  private final DeviceMemoryPool pool;
  private DeviceBuffer buffer;

  Workspace(DeviceMemoryPool pool) {
    this.pool = pool;
  }

  /** Ensures at least {@code bytes} are available. */
  void reserve(long bytes) {
    if (bytes > size()) {
      // The pool hands the old block to the next allocation only after stream order guarantees
      // queued kernels have finished with it; all work runs on one stream, so that holds.
      if (buffer != null) {
        buffer.close();
      }
      buffer = pool.allocate(bytes);
    }
  }

  long size() {
    return buffer == null ? 0 : buffer.bytes();
  }

  MemorySegment address() {
    return buffer == null ? MemorySegment.NULL : buffer.address();
  }

  @Override
  public void close() {
    if (buffer != null) {
      buffer.close();
      buffer = null;
    }
  }
}
