package io.nrj.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pool's caching, rounding, out-of-memory retry and accounting, over a fake device. */
class DeviceMemoryPoolTest {
  /** Hands out increasing fake addresses up to a capacity; records every call. */
  static final class FakeDevice implements DeviceMemoryPool.Allocator {
    final long capacity;
    long used;
    long next = 0x1000;
    final List<String> calls = new ArrayList<>();
    final java.util.Map<Long, Long> sizes = new java.util.HashMap<>();

    FakeDevice(long capacity) {
      this.capacity = capacity;
    }

    @Override
    public MemorySegment malloc(long bytes) {
      calls.add("malloc " + bytes);
      if (used + bytes > capacity) {
        return MemorySegment.NULL;
      }
      used += bytes;
      long a = next;
      next += bytes;
      sizes.put(a, bytes);
      return MemorySegment.ofAddress(a);
    }

    @Override
    public void free(MemorySegment block) {
      calls.add("free " + sizes.get(block.address()));
      used -= sizes.remove(block.address());
    }

    @Override
    public String deviceMemory() {
      return "; the device has " + (capacity - used) + " B free";
    }
  }

  @Test
  void roundsSmallRequestsTo512BytesAndLargeOnesTo2MiB() {
    assertEquals(512, DeviceMemoryPool.roundUp(1));
    assertEquals(1024, DeviceMemoryPool.roundUp(513));
    assertEquals(1 << 20, DeviceMemoryPool.roundUp(1 << 20));
    assertEquals(2 << 20, DeviceMemoryPool.roundUp((1 << 20) + 1));
    assertEquals(4 << 20, DeviceMemoryPool.roundUp((2 << 20) + 1));
  }

  @Test
  void reusesAClosedBlockOfTheSameSizeWithoutCallingTheDriver() {
    var device = new FakeDevice(1 << 20);
    try (var pool = new DeviceMemoryPool(device)) {
      DeviceBuffer a = pool.allocate(1000);
      MemorySegment address = a.address();
      a.close();
      a.close(); // a second close is a no-op
      assertEquals(1024, pool.cachedBytes());
      DeviceBuffer b = pool.allocate(900);
      assertEquals(address, b.address());
      assertEquals(List.of("malloc 1024"), device.calls);
      assertEquals(1024, pool.liveBytes());
      assertThrows(IllegalStateException.class, a::address);
    }
    assertEquals(0, device.used, "close frees open buffers too");
  }

  @Test
  void returnsTheCacheToTheDriverAndRetriesWhenOutOfMemory() {
    var device = new FakeDevice(4096);
    try (var pool = new DeviceMemoryPool(device)) {
      pool.allocate(2048).close();
      pool.allocate(1024).close();
      DeviceBuffer big = pool.allocate(3072);
      assertEquals(List.of("malloc 2048", "malloc 1024", "malloc 3072"), device.calls.subList(0, 3));
      // the cache (in no particular order), then the retry
      assertEquals(java.util.Set.of("free 2048", "free 1024"), java.util.Set.copyOf(device.calls.subList(3, 5)));
      assertEquals(List.of("malloc 3072"), device.calls.subList(5, device.calls.size()));
      assertEquals(3072, pool.peakBytes());
      big.close();
    }
  }

  @Test
  void outOfMemoryNamesTheRequestAndWhatIsHeld() {
    var device = new FakeDevice(4 << 20);
    try (var pool = new DeviceMemoryPool(device)) {
      DeviceBuffer held = pool.allocate(3 << 20);
      var e = assertThrows(CudaOutOfMemoryException.class, () -> pool.allocate(3 << 20));
      assertEquals("cudaMalloc failed: cudaErrorMemoryAllocation (2): out of GPU memory allocating 4.0 MiB "
          + "(nrj holds 4 MiB; the device has 0 B free); try a smaller --batch", e.getMessage());
      assertTrue(held.bytes() >= 3 << 20);
    }
  }
}
