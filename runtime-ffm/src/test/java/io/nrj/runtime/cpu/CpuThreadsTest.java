package io.nrj.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CpuThreadsTest {
  @ParameterizedTest(name = "threads{0} n{1} grain{2}")
  @CsvSource({"1, 10, 3", "2, 64, 2", "3, 7, 1", "2, 5, 8", "4, 1000, 7"})
  void dynamicRangesCoverEveryIndexOnceWithinTheGrain(int threads, int n, int grain) {
    try (CpuThreads pool = new CpuThreads(threads)) {
      for (int call = 0; call < 50; call++) { // many calls: each starts its claims from 0 again
        AtomicIntegerArray seen = new AtomicIntegerArray(n);
        pool.parallelForDynamic(n, grain, (tid, from, to) -> {
          assertTrue(tid >= 0 && tid < threads, "tid " + tid);
          assertTrue(from < to && to - from <= grain && to <= n, "range [" + from + ", " + to + ")");
          for (int i = from; i < to; i++) seen.incrementAndGet(i);
        });
        for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "index " + i + " in call " + call);
      }
    }
  }

  @ParameterizedTest(name = "threads{0}")
  @CsvSource({"1", "2"})
  void aFailureInADynamicRangeReachesTheCaller(int threads) {
    try (CpuThreads pool = new CpuThreads(threads)) {
      IllegalStateException boom = new IllegalStateException("boom");
      IllegalStateException got = assertThrows(IllegalStateException.class, () -> pool.parallelForDynamic(40, 3, (tid, from, to) -> {
        if (from <= 20 && 20 < to) throw boom;
      }));
      assertSame(boom, got);
      int[] total = {0};
      pool.parallelForDynamic(10, 10, (tid, from, to) -> total[0] += to - from); // the pool still works
      assertEquals(10, total[0]);
    }
  }
}
