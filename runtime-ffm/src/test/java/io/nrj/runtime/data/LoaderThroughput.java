package io.nrj.runtime.data;

import io.nrj.dsl.ir.ScheduleIr.Augment;
import io.nrj.dsl.ir.ScheduleIr.Normalize;
import java.util.List;

/**
 * Not a test: measures training-loader throughput, CIFAR (crop 32 pad 4, flip, normalise) or an image
 * folder (JPEG decode, random-resized crop 224, flip, normalise).
 * Run: java -cp ... io.nrj.runtime.data.LoaderThroughput DIR [workers] [epochs].
 */
public final class LoaderThroughput {
  public static void main(String[] args) {
    DataSet data = DataSets.open(args[0]);
    ImageSet train = data.train();
    boolean folders = data.kind() == DataSet.Kind.IMAGE_FOLDER;
    int workers = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    // Spec §9: CIFAR crop 32 pad 4 + flip; ImageNet random-resized crop 224 + flip.
    Augmentation aug = folders
        ? Augmentation.forSet(train, true, new Augment(0, 0, true, 224, 256),
            new Normalize(List.of(0.485, 0.456, 0.406), List.of(0.229, 0.224, 0.225)))
        : Augmentation.forSet(train, true, new Augment(32, 4, true, 0, 0),
            new Normalize(List.of(0.4914, 0.4822, 0.4465), List.of(0.2023, 0.1994, 0.2010)));
    int batch = folders ? 32 : 64;
    try (BatchLoader l = new BatchLoader(train, aug, new BatchLoader.Options(batch, true, false, 1, workers, workers + 1))) {
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
