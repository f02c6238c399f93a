package io.nrj.runtime.cuda;

import java.lang.foreign.MemorySegment;

/**
 * A block of device memory from a {@link DeviceMemoryPool}. Closing it hands the block back to
 * the pool (not to the driver), swapping the address to {@code NULL} first.
 */
public final class DeviceBuffer implements AutoCloseable {
  private final DeviceMemoryPool pool;
  private final long bytes;
  private MemorySegment address;

  DeviceBuffer(DeviceMemoryPool pool, MemorySegment address, long bytes) {
    this.pool = pool;
    this.address = address;
    this.bytes = bytes;
  }

  /** The device address (not dereferenceable on the host). */
  public MemorySegment address() {
    if (address.equals(MemorySegment.NULL)) {
      throw new IllegalStateException("use of a closed device buffer");
    }
    return address;
  }

  /** The block's size in bytes (the request rounded up to the pool's bin). */
  public long bytes() {
    return bytes;
  }

  @Override
  public void close() {
    release();
  }

  private void release() {
    MemorySegment a = address;
    address = MemorySegment.NULL;
    if (!a.equals(MemorySegment.NULL)) {
      pool.recycle(a, bytes);
    }
  }
}
