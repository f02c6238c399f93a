package io.nrj.runtime.data;

import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.Shape;
import io.nrj.runtime.train.BatchSource;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutorService;

/**
 * A data-set split as the training loop's {@link BatchSource}: training passes are shuffled and
 * augmented by a {@link BatchLoader} seeded with the pass's seed, evaluation passes are in order
 * without augmentation. All passes share one pool of background workers; close the source at the
 * end of the run.
 */
public final class LoaderBatchSource implements BatchSource, AutoCloseable {
  private final ImageSet set;
  private final Augmentation trainAug;
  private final Augmentation evalAug;
  private final int workers;
  private final ExecutorService pool;

  /**
   * @param trainAug the training transform (null: this source serves evaluation passes only)
   * @param evalAug the evaluation transform; both must give the same sample shape
   * @param workers background threads (0: batches are made on the caller's thread)
   */
  public LoaderBatchSource(ImageSet set, Augmentation trainAug, Augmentation evalAug, int workers) {
    if (trainAug != null && !trainAug.outputShape().equals(evalAug.outputShape())) {
      throw new IllegalArgumentException(
          "training samples are " + trainAug.outputShape() + " but evaluation samples " + evalAug.outputShape());
    }
    this.set = set;
    this.trainAug = trainAug;
    this.evalAug = evalAug;
    this.workers = workers;
    this.pool = workers == 0 ? null : BatchLoader.newPool(workers);
  }

  /** The training split with the schedule's augmentation, checked against the network's input. */
  public static LoaderBatchSource training(DataSet data, ScheduleIr schedule, Shape networkInput) {
    return of(data, data.train(), schedule, networkInput, true);
  }

  /** The test split, checked against the network's input. */
  public static LoaderBatchSource testing(DataSet data, ScheduleIr schedule, Shape networkInput) {
    return of(data, data.test(), schedule, networkInput, false);
  }

  private static LoaderBatchSource of(DataSet data, ImageSet set, ScheduleIr s, Shape input, boolean train) {
    Augmentation eval, aug = null;
    try {
      eval = Augmentation.forSet(set, false, s.augment(), s.normalize());
      if (train) aug = Augmentation.forSet(set, true, s.augment(), s.normalize());
    } catch (IllegalArgumentException e) {
      throw new DataException(data.location(), "schedule '" + s.name() + "' does not fit this data set: " + e.getMessage(), e);
    }
    BatchLoader.checkShape(data, eval.outputShape(), input);
    int workers = train ? BatchLoader.Options.training(1, 0).workers() : 1;
    return new LoaderBatchSource(set, aug, eval, workers);
  }

  @Override
  public int size() {
    return set.size();
  }

  @Override
  public Shape sampleShape() {
    return evalAug.outputShape();
  }

  @Override
  public Iterator<Batch> batches(int batchSize, boolean train, long seed, int epochIndex) {
    if (train && trainAug == null) throw new IllegalStateException("this source serves evaluation passes only");
    BatchLoader.Options o = new BatchLoader.Options(batchSize, train, false, seed, workers, workers + 1);
    BatchLoader loader = new BatchLoader(set, train ? trainAug : evalAug, o, pool, false);
    BatchLoader.Epoch epoch = loader.epoch(train ? epochIndex : 0);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return epoch.hasNext();
      }

      @Override
      public Batch next() {
        if (!hasNext()) throw new NoSuchElementException();
        io.nrj.runtime.data.Batch b = epoch.next();
        return new Batch(b.images(), b.labels());
      }
    };
  }

  /** Stops the worker threads. */
  @Override
  public void close() {
    if (pool != null) pool.shutdownNow();
  }
}
