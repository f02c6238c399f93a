package io.nrj.runtime.cuda;

import static io.nrj.runtime.bindings.cudart_h.C_LONG_LONG;
import static io.nrj.runtime.bindings.cudart_h.cudaErrorMemoryAllocation;
import static io.nrj.runtime.bindings.cudart_h.cudaFree;
import static io.nrj.runtime.bindings.cudart_h.cudaGetLastError;
import static io.nrj.runtime.bindings.cudart_h.cudaMalloc;
import static io.nrj.runtime.bindings.cudart_h.cudaMemGetInfo;

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
 * are far too slow to call per layer per step. When cudaMalloc runs out of memory the cache is
 * returned to the driver and the call retried once. Rejuvenation changes every shape at once, so
 * the backend calls {@link #trim()} after re-planning. Not a general-purpose allocator: no
 * splitting or coalescing; sizes are rounded to 512 B up to 1 MiB and to 2 MiB above.
 *
 * <p>Reuse is safe without events because all work runs on one stream: a kernel that uses a
 * recycled block is queued after every kernel that used it before.
 */
public final class DeviceMemoryPool implements AutoCloseable {
  private static final long SMALL = 1 << 20;
  private static final long MIB = 1 << 20;

  /** The driver calls the pool makes (a fake in tests). */
  interface Allocator {
    /** A block of {@code bytes}, or {@code NULL} when the device is out of memory. */
    MemorySegment malloc(long bytes);

    void free(MemorySegment block);

    /** {@code "; the device has F MiB free of T MiB"}, or empty when unknown. */
    String deviceMemory();
  }

  private final Allocator allocator;
  private final Map<Long, ArrayDeque<MemorySegment>> free = new HashMap<>();
  private final Set<Long> owned = new HashSet<>();
  private long cachedBytes;
  private long liveBytes;
  private long peakBytes;

  /** A pool over cudaMalloc on the current device. */
  public DeviceMemoryPool() {
    this(new CudaAllocator());
  }

  DeviceMemoryPool(Allocator allocator) {
    this.allocator = allocator;
  }

  /** A buffer of at least {@code bytes}, from the cache or a fresh allocation. */
  public synchronized DeviceBuffer allocate(long bytes) {
    long size = roundUp(Math.max(bytes, 1));
    ArrayDeque<MemorySegment> bin = free.get(size);
    MemorySegment address = bin == null ? null : bin.poll();
    if (address != null) {
      cachedBytes -= size;
    } else {
      address = allocator.malloc(size);
      if (address.equals(MemorySegment.NULL)) {
        trim();
        address = allocator.malloc(size);
      }
      if (address.equals(MemorySegment.NULL)) {
        throw new CudaOutOfMemoryException("cudaMalloc", cudaErrorMemoryAllocation(), "cudaErrorMemoryAllocation",
            String.format(java.util.Locale.ROOT, "out of GPU memory allocating %.1f MiB (nrj holds %d MiB%s); try a smaller --batch",
                size / (double) MIB, liveBytes / MIB, allocator.deviceMemory()));
      }
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
        allocator.free(address);
      }
    }
    free.clear();
    cachedBytes = 0;
  }

  /** Bytes handed out and not yet closed. */
  public synchronized long liveBytes() {
    return liveBytes;
  }

  /** Bytes held in the cache, ready for reuse. */
  public synchronized long cachedBytes() {
    return cachedBytes;
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
      allocator.free(MemorySegment.ofAddress(address));
    }
    owned.clear();
    liveBytes = 0;
  }

  /** cudaMalloc and cudaFree on the current device. */
  private static final class CudaAllocator implements Allocator {
    @Override
    public MemorySegment malloc(long bytes) {
      try (var arena = Arena.ofConfined()) {
        var out = arena.allocate(ValueLayout.ADDRESS);
        int status = cudaMalloc(out, bytes);
        if (status == cudaErrorMemoryAllocation()) {
          cudaGetLastError(); // clear the error so later calls do not report it
          return MemorySegment.NULL;
        }
        Cuda.check(status, "cudaMalloc");
        return out.get(ValueLayout.ADDRESS, 0);
      }
    }

    @Override
    public void free(MemorySegment block) {
      Cuda.check(cudaFree(block), "cudaFree");
    }

    @Override
    public String deviceMemory() {
      try (var arena = Arena.ofConfined()) {
        var freeBytes = arena.allocate(C_LONG_LONG);
        var total = arena.allocate(C_LONG_LONG);
        if (cudaMemGetInfo(freeBytes, total) != 0) {
          return "";
        }
        return String.format(java.util.Locale.ROOT, "; the device has %d MiB free of %d MiB",
            freeBytes.get(C_LONG_LONG, 0) / MIB, total.get(C_LONG_LONG, 0) / MIB);
      }
    }
  }
}
