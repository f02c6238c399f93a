package io.nrj.runtime.data;

import io.nrj.dsl.ir.ScheduleIr.Augment;
import io.nrj.dsl.ir.ScheduleIr.Normalize;
import java.util.List;

/**
 * Not a test: measures CIFAR training-loader throughput (crop 32 pad 4, flip, normalise).
 * Run: java -cp ... io.nrj.runtime.data.LoaderThroughput DIR [workers] [epochs].
 */
public final class LoaderThroughput {
  public static void main(String[] args) {
    ImageSet train = DataSets.open(args[0]).train();
    int workers = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    Augmentation aug = Augmentation.forSet(train, true, new Augment(32, 4, true, 0, 0),
        new Normalize(List.of(0.4914, 0.4822, 0.4465), List.of(0.2023, 0.1994, 0.2010)));
    try (BatchLoader l = new BatchLoader(train, aug, new BatchLoader.Options(64, true, false, 1, workers, workers + 1))) {
      for (int e = 0; e < epochs; e++) {
        long t0 = System.nanoTime();
        long n = 0;
        double sink = 0;
        try (BatchLoader.Epoch it = l.epoch(e)) {
          while (it.hasNext()) {
            Batch b = it.next();
            n += b.size();
            sink += b.images()[0];
          }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("workers %d epoch %d: %d images in %.3f s = %.0f img/s (%s)%n", workers, e, n, s, n / s, sink > 1e30 ? "" : "ok");
      }
    }
  }
}
