package io.nrj.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.nrj.dsl.ir.ScheduleIr.Augment;
import io.nrj.dsl.ir.ScheduleIr.Normalize;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchLoaderTest {
  static final Augment CIFAR_AUG = new Augment(32, 4, true, 0, 0);

  static ArrayImageSet cifarLike(int n) {
    byte[] b = DataSetsTest.cifar(1, n, 0);
    byte[] px = new byte[n * 3072];
    int[] labels = new int[n];
    for (int r = 0; r < n; r++) {
      labels[r] = r % 10;
      System.arraycopy(b, r * 3073 + 1, px, r * 3072, 3072);
      px[r * 3072] = (byte) r; // make samples distinguishable
    }
    return new ArrayImageSet(3, 32, 32, px, labels, CifarBinary.CIFAR10_CLASSES);
  }

  static List<Batch> epoch(ArrayImageSet set, BatchLoader.Options o, int epoch) {
    Augmentation aug = Augmentation.forSet(set, true, CIFAR_AUG, AugmentationTest.CIFAR_NORM);
    List<Batch> out = new ArrayList<>();
    try (BatchLoader l = new BatchLoader(set, aug, o); BatchLoader.Epoch e = l.epoch(epoch)) {
      while (e.hasNext()) out.add(e.next());
    }
    return out;
  }

  @Test
  void sameSeedAndEpochGiveIdenticalBatchesWhateverTheThreads() {
    ArrayImageSet set = cifarLike(50);
    List<Batch> sync = epoch(set, new BatchLoader.Options(8, true, false, 42, 0, 0), 3);
    for (int workers : new int[] {1, 3}) {
      List<Batch> par = epoch(set, new BatchLoader.Options(8, true, false, 42, workers, 5), 3);
      assertEquals(sync.size(), par.size());
      for (int i = 0; i < sync.size(); i++) {
        assertEquals(i, par.get(i).index());
        assertArrayEquals(sync.get(i).sampleIds(), par.get(i).sampleIds());
        assertArrayEquals(sync.get(i).labels(), par.get(i).labels());
        assertArrayEquals(sync.get(i).images(), par.get(i).images());
      }
    }
  }

  @Test
  void eachEpochVisitsEverySampleOnceInANewOrder() {
    ArrayImageSet set = cifarLike(50);
    BatchLoader.Options o = new BatchLoader.Options(8, true, false, 7, 2, 3);
    int[] e0 = ids(epoch(set, o, 0)), e1 = ids(epoch(set, o, 1));
    assertArrayEquals(sorted(e0), java.util.stream.IntStream.range(0, 50).toArray());
    assertArrayEquals(sorted(e1), java.util.stream.IntStream.range(0, 50).toArray());
    assertFalse(Arrays.equals(e0, e1));
    assertFalse(Arrays.equals(e0, ids(epoch(set, new BatchLoader.Options(8, true, false, 8, 2, 3), 0))));
    // The same sample is augmented differently in another epoch.
    Batch b0 = epoch(set, o, 0).getFirst();
    int id = b0.sampleIds()[0];
    Batch again = epoch(set, o, 1).stream().filter(b -> Arrays.stream(b.sampleIds()).anyMatch(s -> s == id)).findFirst().orElseThrow();
    int k = Arrays.stream(again.sampleIds()).boxed().toList().indexOf(id);
    assertFalse(Arrays.equals(Arrays.copyOfRange(b0.images(), 0, 3072), Arrays.copyOfRange(again.images(), k * 3072, k * 3072 + 3072)));
  }

  @Test
  void keepsOrDropsTheLastPartialBatch() {
    ArrayImageSet set = cifarLike(50);
    List<Batch> kept = epoch(set, new BatchLoader.Options(8, true, false, 1, 1, 2), 0);
    assertEquals(7, kept.size());
    assertEquals(2, kept.getLast().size());
    assertEquals(2 * 3 * 32 * 32, kept.getLast().images().length);
    assertEquals(2, kept.getLast().labels().length);
    List<Batch> dropped = epoch(set, new BatchLoader.Options(8, true, true, 1, 1, 2), 0);
    assertEquals(6, dropped.size());
    assertEquals(8, dropped.getLast().size());
  }

  @Test
  void evaluationKeepsDataSetOrderAndNoAugmentation() {
    ArrayImageSet set = cifarLike(20);
    Augmentation aug = Augmentation.forSet(set, false, CIFAR_AUG, Normalize.NONE);
    try (BatchLoader l = new BatchLoader(set, aug, BatchLoader.Options.evaluation(6)); BatchLoader.Epoch e = l.epoch(0)) {
      Batch b = e.next();
      assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, b.sampleIds());
      assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, b.labels());
      assertEquals(set.image(1).at(2, 3, 4) / 255f, b.images()[3072 + 2 * 1024 + 3 * 32 + 4], 0f);
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment seg = arena.allocate(6L * 3072 * 4);
        b.copyImagesTo(seg);
        assertEquals(b.images()[3072 + 77], seg.getAtIndex(ValueLayout.JAVA_FLOAT, 3072 + 77));
      }
    }
  }

  @Test
  void aDecodingErrorOnAWorkerReachesTheCaller(@TempDir Path dir) throws Exception {
    DataSetsTest.png(dir.resolve("cat/a.png"), 4, 4, 0);
    java.nio.file.Files.writeString(dir.resolve("cat/b.png"), "broken");
    ImageFolderSet set = ImageFolderSet.scan(dir, null);
    Augmentation aug = Augmentation.forSet(set, true, new Augment(0, 0, true, 4, 0), Normalize.NONE);
    try (BatchLoader l = new BatchLoader(set, aug, new BatchLoader.Options(1, false, false, 0, 2, 2));
        BatchLoader.Epoch e = l.epoch(0)) {
      e.next();
      DataException ex = assertThrows(DataException.class, e::next);
      assertEquals(dir.resolve("cat/b.png") + ": not a readable JPEG or PNG image", ex.getMessage());
    }
  }

  @Test
  void preparesBatchesInTheBackgroundBeforeTheyAreAskedFor() throws Exception {
    ArrayImageSet base = cifarLike(40);
    java.util.concurrent.CountDownLatch requested = new java.util.concurrent.CountDownLatch(3 * 8);
    ImageSet counting = new ImageSet() {
      public int size() { return base.size(); }
      public int channels() { return 3; }
      public int height() { return 32; }
      public int width() { return 32; }
      public List<String> classes() { return base.classes(); }
      public int label(int i) { return base.label(i); }
      public RawImage image(int i) {
        requested.countDown();
        return base.image(i);
      }
    };
    Augmentation aug = Augmentation.forSet(counting, true, CIFAR_AUG, Normalize.NONE);
    try (BatchLoader l = new BatchLoader(counting, aug, new BatchLoader.Options(8, true, false, 1, 2, 3));
        BatchLoader.Epoch e = l.epoch(0)) {
      // Three batches (the prefetch depth) are made while the caller has not asked for any.
      assertEquals(true, requested.await(20, java.util.concurrent.TimeUnit.SECONDS));
      assertEquals(0, e.next().index());
    }
  }

  private static int[] ids(List<Batch> batches) {
    return batches.stream().flatMapToInt(b -> Arrays.stream(b.sampleIds())).toArray();
  }

  private static int[] sorted(int[] a) {
    int[] s = a.clone();
    Arrays.sort(s);
    return s;
  }
}
