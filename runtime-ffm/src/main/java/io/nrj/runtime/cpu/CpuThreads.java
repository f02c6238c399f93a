package io.nrj.runtime.cpu;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A fixed pool with static work partitioning: {@code parallelFor(n, body)} hands thread t the
 * contiguous range [t*n/T, (t+1)*n/T) and thread t is always worker t. Which thread computes which
 * element therefore never depends on timing, so any per-thread partial sums (reduced afterwards in
 * thread order) give bit-identical results run to run for the same thread count. There is no work
 * stealing on purpose.
 */
final class CpuThreads implements AutoCloseable {
  /** The work for one thread: indices [from, to) as thread {@code tid}. */
  @FunctionalInterface
  interface RangeBody {
    void run(int tid, int from, int to);
  }

  private final int threads;
  private final ExecutorService pool;
  private static final ThreadLocal<Boolean> IN_POOL = ThreadLocal.withInitial(() -> false);

  CpuThreads(int threads) {
    if (threads < 1) throw new IllegalArgumentException("nrj.cpu.threads must be >= 1, got " + threads);
    this.threads = threads;
    this.pool =
        threads == 1
            ? null
            : Executors.newFixedThreadPool(
                threads - 1,
                r -> {
                  Thread t = new Thread(() -> {
                    IN_POOL.set(true);
                    r.run();
                  }, "nrj-cpu");
                  t.setDaemon(true);
                  return t;
                });
  }

  /** The thread count from {@code -Dnrj.cpu.threads}, else the available processors. */
  static int configuredThreads() {
    String p = System.getProperty("nrj.cpu.threads");
    if (p == null || p.isBlank()) return Runtime.getRuntime().availableProcessors();
    try {
      return Integer.parseInt(p.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("nrj.cpu.threads must be an integer, got '" + p + "'", e);
    }
  }

  int threads() {
    return threads;
  }

  /** Runs body over [0, n) split statically into {@link #threads()} ranges (empty ones skipped). */
  void parallelFor(int n, RangeBody body) {
    if (n <= 0) return;
    if (threads == 1 || n == 1 || IN_POOL.get()) {
      // Same split, run in order on this thread: per-thread partials stay identical.
      for (int t = 0; t < threads; t++) {
        int from = (int) ((long) t * n / threads), to = (int) ((long) (t + 1) * n / threads);
        if (from < to) body.run(t, from, to);
      }
      return;
    }
    Future<?>[] futures = new Future<?>[threads];
    for (int t = 1; t < threads; t++) {
      int tid = t, from = (int) ((long) t * n / threads), to = (int) ((long) (t + 1) * n / threads);
      if (from < to) futures[t] = pool.submit(() -> body.run(tid, from, to));
    }
    Throwable failure = null;
    try {
      int to0 = n / threads;
      if (to0 > 0) body.run(0, 0, to0);
    } catch (Throwable e) {
      failure = e;
    }
    for (int t = 1; t < threads; t++) {
      if (futures[t] == null) continue;
      try {
        futures[t].get();
      } catch (java.util.concurrent.ExecutionException e) {
        if (failure == null) failure = e.getCause();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        if (failure == null) failure = e;
      }
    }
    if (failure instanceof RuntimeException re) throw re;
    if (failure instanceof Error er) throw er;
    if (failure != null) throw new IllegalStateException(failure);
  }

  @Override
  public void close() {
    if (pool != null) pool.shutdownNow();
  }
}
