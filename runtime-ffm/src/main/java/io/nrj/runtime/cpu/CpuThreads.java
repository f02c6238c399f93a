package io.nrj.runtime.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads with static work partitioning: {@code parallelFor(n, body)} hands thread
 * t the contiguous range [t*n/T, (t+1)*n/T) and thread t is always worker t (the caller is thread
 * 0). Which thread computes which element therefore never depends on timing, so any per-thread
 * partial sums (reduced afterwards in thread order) give bit-identical results run to run for the
 * same thread count. There is no work stealing on purpose.
 *
 * <p>{@link #parallelForDynamic} is the exception, for bodies whose every index computes the same
 * values whatever range it arrives in (per image, per channel, per fixed group of images): ranges
 * of {@code grain} indices go to whichever thread asks next. The results keep their bits, and a core
 * slowed by something else on the machine (on a shared VM one of two vCPUs often runs a third
 * slower for seconds at a time) no longer holds up the other for the whole call.
 *
 * <p>A training step makes hundreds of parallel calls, many of them a few microseconds long (the
 * small layers of LeNet-5, BN on 8x8 planes), so hand-off latency matters: workers spin for {@link
 * #SPIN_NANOS} after each call before parking, and the caller spins likewise while waiting for
 * them. An executor's queue and futures cost tens of microseconds per call instead.
 */
final class CpuThreads implements AutoCloseable {
  /** The work for one thread: indices [from, to) as thread {@code tid}. */
  @FunctionalInterface
  interface RangeBody {
    void run(int tid, int from, int to);
  }

  /** How long a waiting thread spins before it parks. */
  static final long SPIN_NANOS = 50_000;

  private final int threads;
  private final Thread[] workers;
  private final AtomicInteger pending = new AtomicInteger();
  private volatile long generation;
  private volatile boolean closed;
  private volatile Thread caller;
  // the current call, published by the write to generation
  private RangeBody body;
  private int n;
  private int grain; // 0: static ranges; else ranges of grain indices claimed from next
  private final AtomicInteger next = new AtomicInteger();
  private final Throwable[] failures;
  private static final ThreadLocal<Boolean> IN_POOL = ThreadLocal.withInitial(() -> false);

  CpuThreads(int threads) {
    if (threads < 1) throw new IllegalArgumentException("nrj.cpu.threads must be >= 1, got " + threads);
    this.threads = threads;
    this.failures = new Throwable[threads];
    this.workers = new Thread[threads - 1];
    for (int t = 1; t < threads; t++) {
      int tid = t;
      Thread w = new Thread(() -> work(tid), "nrj-cpu-" + t);
      w.setDaemon(true);
      workers[t - 1] = w;
      w.start();
    }
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
    run(n, 0, body);
  }

  /**
   * Runs body over [0, n) in ranges of {@code grain} indices, each claimed by the next free thread.
   * Only for bodies whose results for an index do not depend on the range or thread it runs in
   * (per-thread scratch buffers are fine); not for per-thread partial sums. With one thread, or
   * called from inside a body, the ranges run in order on the calling thread as thread 0.
   */
  void parallelForDynamic(int n, int grain, RangeBody body) {
    if (grain < 1) throw new IllegalArgumentException("grain must be >= 1, got " + grain);
    run(n, grain, body);
  }

  private void run(int n, int grain, RangeBody body) {
    if (n <= 0) return;
    if (grain > 0 && (threads == 1 || IN_POOL.get())) {
      for (int i = 0; i < n; i += grain) body.run(0, i, Math.min(n, i + grain)); // in order, on this thread
      return;
    }
    if (threads == 1 || n == 1 || IN_POOL.get()) {
      // Same split, run in order on this thread: per-thread partials stay identical.
      for (int t = 0; t < threads; t++) {
        int from = from(t, n), to = from(t + 1, n);
        if (from < to) body.run(t, from, to);
      }
      return;
    }
    synchronized (this) {
      this.body = body;
      this.n = n;
      this.grain = grain;
      next.set(0);
      caller = Thread.currentThread();
      pending.set(threads - 1);
      generation++; // publishes body and n
      for (Thread w : workers) LockSupport.unpark(w);
      Throwable failure = null;
      int to0 = from(1, n);
      IN_POOL.set(true);
      try {
        if (grain > 0) claim(0, n, grain, body);
        else if (to0 > 0) body.run(0, 0, to0);
      } catch (Throwable e) {
        failure = e;
      } finally {
        IN_POOL.set(false);
      }
      long deadline = System.nanoTime() + SPIN_NANOS;
      while (pending.get() != 0) {
        if (System.nanoTime() < deadline) Thread.onSpinWait();
        else LockSupport.park(this);
      }
      this.body = null;
      for (int t = 1; t < threads; t++) {
        if (failure == null) failure = failures[t];
        failures[t] = null;
      }
      if (failure instanceof RuntimeException re) throw re;
      if (failure instanceof Error er) throw er;
      if (failure != null) throw new IllegalStateException(failure);
    }
  }

  // runs ranges of grain indices claimed from next until none is left
  private void claim(int tid, int n, int grain, RangeBody body) {
    for (int i; (i = next.getAndAdd(grain)) < n; ) body.run(tid, i, Math.min(n, i + grain));
  }

  private int from(int t, int n) {
    return (int) ((long) t * n / threads);
  }

  private void work(int tid) {
    IN_POOL.set(true);
    long seen = 0;
    while (true) {
      long deadline = System.nanoTime() + SPIN_NANOS;
      long g;
      while ((g = generation) == seen && !closed) {
        if (System.nanoTime() < deadline) Thread.onSpinWait();
        else LockSupport.park(this);
      }
      if (closed) return;
      seen = g;
      int count = n, from = from(tid, count), to = from(tid + 1, count), gr = grain;
      try {
        if (gr > 0) claim(tid, count, gr, body);
        else if (from < to) body.run(tid, from, to);
      } catch (Throwable e) {
        failures[tid] = e;
      }
      if (pending.decrementAndGet() == 0) LockSupport.unpark(caller);
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Thread w : workers) LockSupport.unpark(w);
  }
}
