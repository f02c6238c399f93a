package io.nrj.runtime.train;

import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.Shape;
import io.nrj.runtime.data.Augmentation;
import io.nrj.runtime.data.BatchLoader;
import io.nrj.runtime.data.ImageSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A {@link BatchSource} over one split of a data set through the prefetching {@link BatchLoader}:
 * training passes shuffle and augment as the schedule says (spec §9), evaluation passes only
 * normalise. Loaders (and their worker threads) are kept per (batch size, seed) and closed with
 * this source.
 */
public final class LoaderBatchSource implements BatchSource, AutoCloseable {
  private final ImageSet set;
  private final Augmentation augmentation;
  private final boolean train;
  private final Map<Long, BatchLoader> loaders = new HashMap<>();

  /** @param train whether this is the training split (augmentation from the schedule) */
  public LoaderBatchSource(ImageSet set, boolean train, ScheduleIr.Augment augment, ScheduleIr.Normalize normalize) {
    this.set = set;
    this.train = train;
    this.augmentation = Augmentation.forSet(set, train, augment, normalize);
  }

  @Override
  public int size() {
    return set.size();
  }

  @Override
  public Shape sampleShape() {
    return augmentation.outputShape();
  }

  @Override
  public Iterator<BatchSource.Batch> batches(int batchSize, boolean shuffle, long seed, int epoch) {
    boolean shuffled = shuffle && train;
    long key = 31L * batchSize + (shuffled ? seed * 2 + 1 : 0);
    BatchLoader loader =
        loaders.computeIfAbsent(
            key,
            k -> new BatchLoader(
                set, augmentation,
                shuffled ? BatchLoader.Options.training(batchSize, seed) : BatchLoader.Options.evaluation(batchSize)));
    BatchLoader.Epoch e = loader.epoch(shuffled ? epoch : 0);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        boolean more = e.hasNext();
        if (!more) e.close();
        return more;
      }

      @Override
      public BatchSource.Batch next() {
        io.nrj.runtime.data.Batch b = e.next();
        return new BatchSource.Batch(b.images(), b.labels());
      }
    };
  }

  @Override
  public void close() {
    for (BatchLoader l : loaders.values()) l.close();
    loaders.clear();
  }
}
