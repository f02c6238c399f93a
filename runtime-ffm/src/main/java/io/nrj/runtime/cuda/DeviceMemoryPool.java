package io.nrj.runtime.cuda;

import static io.nrj.runtime.bindings.cudart_h.cudaErrorMemoryAllocation;
import static io.nrj.runtime.bindings.cudart_h.cudaFree;
import static io.nrj.runtime.bindings.cudart_h.cudaGetLastError;
import static io.nrj.runtime.bindings.cudart_h.cudaMalloc;
import static io.nrj.runtime.bindings.cudart_h.cudaMemGetInfo;
import static io.nrj.runtime.bindings.cudart_h.C_LONG_LONG;
import static io.nrj.runtime.cuda.Cuda.check;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A caching allocator over cudaMalloc: closed buffers go to a free list per rounded size and are
 * handed out again, because cudaMalloc and especially cudaFree (which synchronizes the device)
 * are far too slow to call per layer per step. Rejuvenation changes every shape at once, so the
 * trainer calls {@link #trim()} after re-planning. Not a general-purpose allocator: no splitting
 * or coalescing of blocks; sizes are rounded to 512 B below 1 MiB and to 2 MiB above.
 */
public final class DeviceMemoryPool implements AutoCloseable {
  private static final long SMALL = 1 << 20;
  private static final long MIB = 1 << 20;

  private final Map<Long, ArrayDeque<MemorySegment>> free = new HashMap<>();
  private final Set<Long> owned = new HashSet<>();
  private long cachedBytes;
  private long liveBytes;
  private long peakBytes;

  /** A buffer of at least {@code bytes}, from the cache or a fresh cudaMalloc. */
  public synchronized DeviceBuffer allocate(long bytes) {
    long size = roundUp(Math.max(bytes, 1));
    ArrayDeque<MemorySegment> bin = free.get(size);
    MemorySegment address = bin == null ? null : bin.poll();
    if (address != null) {
      cachedBytes -= size;
    } else {
      address = malloc(size);
      owned.add(address.address());
    }
    liveBytes += size;
    peakBytes = Math.max(peakBytes, liveBytes);
    return new DeviceBuffer(this, address, size);
  }

  static long roundUp(long bytes) {
    long unit = bytes <= SMALL ? 512 : 2 * MIB;
    return (bytes + unit - 1) / unit * unit;
  }

  private MemorySegment malloc(long size) {
    try (var arena = Arena.ofConfined()) {
      var out = arena.allocate(ValueLayout.ADDRESS);
      int status = cudaMalloc(out, size);
      if (status == cudaErrorMemoryAllocation()) {
        cudaGetLastError(); // clear the sticky-free error before retrying
        trim();
        status = cudaMalloc(out, size);
      }
      if (status == cudaErrorMemoryAllocation()) {
        cudaGetLastError();
        throw new CudaOutOfMemoryException("cudaMalloc", status, Cuda.errorName(status), describe(size));
      }
      check(status, "cudaMalloc");
      return out.get(ValueLayout.ADDRESS, 0);
    }
  }

  private String describe(long size) {
    String device = "";
    try (var arena = Arena.ofConfined()) {
      var freeBytes = arena.allocate(C_LONG_LONG);
      var total = arena.allocate(C_LONG_LONG);
      if (cudaMemGetInfo(freeBytes, total) == 0) {
        device = String.format("; the device has %d MiB free of %d MiB",
            freeBytes.get(C_LONG_LONG, 0) / MIB, total.get(C_LONG_LONG, 0) / MIB);
      }
    }
    return String.format("out of GPU memory allocating %.1f MiB (nrj holds %d MiB%s); "
        + "try a smaller --batch", size / (double) MIB, liveBytes / MIB, device);
  }

  synchronized void recycle(MemorySegment address, long size) {
    liveBytes -= size;
    cachedBytes += size;
    free.computeIfAbsent(size, s -> new ArrayDeque<>()).push(address);
  }

  /** Returns every cached (unused) block to the driver. */
  public synchronized void trim() {
    for (var bin : free.values()) {
      for (MemorySegment address : bin) {
        owned.remove(address.address());
        check(cudaFree(address), "cudaFree");
      }
    }
    free.clear();
    cachedBytes = 0;
  }

  /** Bytes handed out and not yet closed. */
  public synchronized long liveBytes() {
    return liveBytes;
  }

  /** The most bytes ever handed out at once ({@code nrj bench}'s peak memory). */
  public synchronized long peakBytes() {
    return peakBytes;
  }

  /** Frees everything, including buffers still open: they must not be used afterwards. */
  @Override
  public synchronized void close() {
    trim();
    for (long address : owned) {
      check(cudaFree(MemorySegment.ofAddress(address)), "cudaFree");
    }
    owned.clear();
    liveBytes = 0;
  }
}
