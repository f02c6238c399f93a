package io.nrj.runtime.data;

import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.Shape;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cuts an image set into augmented float batches, epoch by epoch, preparing the next batches on
 * background threads while the caller computes on the current one.
 *
 * <p>Deterministic: the epoch's order is a Fisher-Yates shuffle seeded from (seed, epoch), and each
 * sample's augmentation draws from a generator seeded from (seed, epoch, sample id). Workers only
 * decide when a batch is made, never what it holds, so results do not depend on thread count or
 * timing. Batches come out in order.
 *
 * <p>Not a sampler framework: no weighting, no distributed sharding.
 */
public final class BatchLoader implements AutoCloseable {
  /**
   * @param batchSize samples per batch
   * @param shuffle reshuffle every epoch (training) or keep data-set order (evaluation)
   * @param dropLast drop a final partial batch (the reference keeps it: false)
   * @param seed the run's seed
   * @param workers background threads; 0 makes batches on the caller's thread
   * @param prefetch batches prepared ahead (at least 1 when workers > 0)
   */
  public record Options(int batchSize, boolean shuffle, boolean dropLast, long seed, int workers, int prefetch) {
    public Options {
      if (batchSize <= 0) throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
      if (workers < 0 || prefetch < 0) throw new IllegalArgumentException("negative workers or prefetch");
    }

    /** Training: shuffled, partial last batch kept, one worker per spare core (at most 4). */
    public static Options training(int batchSize, long seed) {
      int w = Math.clamp(Runtime.getRuntime().availableProcessors() - 1, 1, 4);
      return new Options(batchSize, true, false, seed, w, w + 1);
    }

    /** Evaluation: data-set order, every sample. */
    public static Options evaluation(int batchSize) {
      return new Options(batchSize, false, false, 0, 1, 2);
    }
  }

  private static final AtomicInteger POOLS = new AtomicInteger();

  private final ImageSet set;
  private final Augmentation aug;
  private final Options opt;
  private final Shape shape;
  private final ExecutorService pool;
  private final boolean ownsPool;

  public BatchLoader(ImageSet set, Augmentation aug, Options opt) {
    this(set, aug, opt, opt.workers() == 0 ? null : newPool(opt.workers()), true);
  }

  /** A loader running on {@code pool} (null: the caller's thread), which it shuts down only if it owns it. */
  BatchLoader(ImageSet set, Augmentation aug, Options opt, ExecutorService pool, boolean ownsPool) {
    this.set = set;
    this.aug = aug;
    this.opt = opt;
    this.shape = aug.outputShape();
    this.pool = pool;
    this.ownsPool = ownsPool;
  }

  static ExecutorService newPool(int workers) {
    int id = POOLS.incrementAndGet();
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(workers, r -> {
      Thread t = new Thread(r, "nrj-data-" + id + "-" + n.incrementAndGet());
      t.setDaemon(true); // never keeps the JVM alive
      return t;
    });
  }

  /**
   * The training loader of a schedule: its augmentation and normalisation, its batch size, shuffled
   * with {@code seed}, the partial last batch kept, and a check that the batches fit the network.
   *
   * @throws DataException naming the data set when its samples do not have the network's input shape
   */
  public static BatchLoader training(DataSet data, ScheduleIr schedule, Shape networkInput, long seed) {
    ImageSet set = data.train();
    Augmentation aug = augmentation(data, set, true, schedule);
    checkShape(data, aug.outputShape(), networkInput);
    return new BatchLoader(set, aug, Options.training(schedule.batch(), seed));
  }

  /** The evaluation loader of a schedule: test split, data-set order, its test batch size. */
  public static BatchLoader evaluation(DataSet data, ScheduleIr schedule, Shape networkInput) {
    ImageSet set = data.test();
    Augmentation aug = augmentation(data, set, false, schedule);
    checkShape(data, aug.outputShape(), networkInput);
    return new BatchLoader(set, aug, Options.evaluation(schedule.testBatch()));
  }

  private static Augmentation augmentation(DataSet data, ImageSet set, boolean train, ScheduleIr s) {
    try {
      return Augmentation.forSet(set, train, s.augment(), s.normalize());
    } catch (IllegalArgumentException e) {
      throw new DataException(data.location(), "schedule '" + s.name() + "' does not fit this data set: " + e.getMessage(), e);
    }
  }

  /** Throws a {@link DataException} when samples of {@code produced} shape do not fit {@code networkInput}. */
  public static void checkShape(DataSet data, Shape produced, Shape networkInput) {
    if (!produced.equals(networkInput)) {
      throw new DataException(
          data.location(),
          data.kind() + " samples are " + produced + " after augmentation but the network's input is " + networkInput);
    }
  }

  /** The shape of one sample in the batches. */
  public Shape sampleShape() {
    return shape;
  }

  /** Samples in the set. */
  public int samples() {
    return set.size();
  }

  /** Batches per epoch, counting a partial last batch unless dropLast. */
  public int batchesPerEpoch() {
    int n = set.size(), b = opt.batchSize();
    return opt.dropLast() ? n / b : (n + b - 1) / b;
  }

  /** Sample ids in the order epoch {@code epoch} visits them. */
  public int[] order(int epoch) {
    int n = set.size();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) order[i] = i;
    if (!opt.shuffle()) return order;
    SplittableRandom r = new SplittableRandom(mix(opt.seed(), epoch, -1));
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** Starts epoch {@code epoch} (0-based): background work begins now. Close it when done. */
  public Epoch epoch(int epoch) {
    return new Epoch(epoch, order(epoch));
  }

  /** The batches of one epoch, in order. */
  public final class Epoch implements Iterator<Batch>, AutoCloseable {
    private final int epoch;
    private final int[] order;
    private final int total = batchesPerEpoch();
    private final ArrayDeque<Future<Batch>> ahead = new ArrayDeque<>();
    private int submitted;
    private int delivered;

    private Epoch(int epoch, int[] order) {
      this.epoch = epoch;
      this.order = order;
      if (pool != null) fill();
    }

    private void fill() {
      while (submitted < total && ahead.size() < Math.max(1, opt.prefetch())) {
        int b = submitted++;
        ahead.add(pool.submit(() -> make(b)));
      }
    }

    @Override
    public boolean hasNext() {
      return delivered < total;
    }

    @Override
    public Batch next() {
      if (!hasNext()) throw new NoSuchElementException();
      if (pool == null) return make(delivered++);
      Future<Batch> f = ahead.poll();
      delivered++;
      fill();
      try {
        return f.get();
      } catch (ExecutionException e) {
        close();
        if (e.getCause() instanceof RuntimeException re) throw re;
        if (e.getCause() instanceof Error err) throw err;
        throw new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        close();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for a batch", e);
      }
    }

    private Batch make(int b) {
      int from = b * opt.batchSize(), n = Math.min(opt.batchSize(), order.length - from);
      int per = (int) shape.size();
      float[] x = new float[n * per];
      int[] y = new int[n], ids = new int[n];
      for (int k = 0; k < n; k++) {
        int id = order[from + k];
        ids[k] = id;
        y[k] = set.label(id);
        SplittableRandom r = aug.isRandom() ? new SplittableRandom(mix(opt.seed(), epoch, id)) : null;
        aug.apply(set.image(id), r, x, k * per);
      }
      return new Batch(b, n, shape, x, y, ids);
    }

    /** Cancels batches still being prepared. */
    @Override
    public void close() {
      for (Future<Batch> f : ahead) f.cancel(true);
      ahead.clear();
      submitted = total;
    }
  }

  /** Stops the worker threads. */
  @Override
  public void close() {
    if (pool != null && ownsPool) pool.shutdownNow();
  }

  /** A 64-bit mix of (seed, epoch, index), SplitMix64's finaliser applied per component. */
  static long mix(long seed, long epoch, long index) {
    long h = fmix(seed ^ 0x9E3779B97F4A7C15L);
    h = fmix(h ^ (epoch * 0xC2B2AE3D27D4EB4FL));
    return fmix(h ^ (index * 0x165667B19E3779F9L));
  }

  private static long fmix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
