package io.nrj.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.ir.Shape;
import io.nrj.dsl.ir.ScheduleIr.Augment;
import io.nrj.dsl.ir.ScheduleIr.Normalize;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentationTest {
  static final Normalize CIFAR_NORM = new Normalize(List.of(0.4914, 0.4822, 0.4465), List.of(0.2023, 0.1994, 0.2010));

  /** A 3x8x6 image with distinct pixels. */
  static RawImage image(int h, int w) {
    byte[] px = new byte[3 * h * w];
    for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 7 + 3);
    return new RawImage(3, h, w, px, 0);
  }

  @Test
  void evaluationScalesAndNormalisesEachChannel() {
    RawImage im = image(8, 6);
    Augmentation a = Augmentation.evaluation(new Augment(8, 2, true, 0, 0), CIFAR_NORM, 3, 8, 6);
    assertEquals(new Shape(3, 8, 6), a.outputShape()); // the crop is not smaller than the image: no crop
    float[] out = new float[3 * 8 * 6];
    a.apply(im, null, out, 0);
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 6; x++) {
          double expect = (im.at(c, y, x) / 255.0 - CIFAR_NORM.mean().get(c)) / CIFAR_NORM.std().get(c);
          assertEquals(expect, out[(c * 8 + y) * 6 + x], 1e-5);
        }
      }
    }
  }

  @Test
  void randomCropPadsWithZerosBeforeNormalisingAndFlipsAfterCropping() {
    int h = 8, w = 6, crop = 5, pad = 2;
    RawImage im = image(h, w);
    Augmentation a = Augmentation.training(new Augment(crop, pad, true, 0, 0), CIFAR_NORM, 3, h, w);
    Set<String> seen = new HashSet<>();
    for (long seed = 0; seed < 400; seed++) {
      // Reference: draw as torchvision does (top, left in padded coordinates, then the flip coin),
      // build the zero-padded image explicitly, crop, flip, scale, normalise.
      SplittableRandom ref = new SplittableRandom(seed);
      int top = ref.nextInt(h + 2 * pad - crop + 1), left = ref.nextInt(w + 2 * pad - crop + 1);
      boolean flip = ref.nextDouble() < 0.5;
      seen.add(top + "," + left + "," + flip);
      int[][][] padded = new int[3][h + 2 * pad][w + 2 * pad];
      for (int c = 0; c < 3; c++) for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) padded[c][y + pad][x + pad] = im.at(c, y, x);
      float[] out = new float[3 * crop * crop + 4];
      a.apply(im, new SplittableRandom(seed), out, 4);
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < crop; y++) {
          for (int x = 0; x < crop; x++) {
            int v = padded[c][top + y][left + (flip ? crop - 1 - x : x)];
            double expect = (v / 255.0 - CIFAR_NORM.mean().get(c)) / CIFAR_NORM.std().get(c);
            assertEquals(expect, out[4 + (c * crop + y) * crop + x], 1e-5, "seed " + seed);
          }
        }
      }
    }
    assertEquals(8 * 6 * 2, seen.size()); // every offset and both flips occur
  }

  @Test
  void evaluationCentreCropsWhenTheCropIsSmaller() {
    RawImage im = image(8, 6);
    Augmentation a = Augmentation.evaluation(new Augment(4, 0, false, 0, 0), Normalize.NONE, 3, 8, 6);
    float[] out = new float[3 * 16];
    a.apply(im, null, out, 0);
    assertEquals(im.at(1, 2, 1) / 255f, out[16], 1e-7f); // top = (8-4)/2 = 2, left = (6-4)/2 = 1
    assertEquals(im.at(2, 5, 4) / 255f, out[2 * 16 + 15], 1e-7f);
  }

  @Test
  void randomResizedBoxesStayWithinAreaAndAspectBounds() {
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < 2000; i++) {
      int[] b = Augmentation.randomResizedBox(300, 400, r);
      int top = b[0], left = b[1], ch = b[2], cw = b[3];
      assertTrue(top >= 0 && left >= 0 && top + ch <= 300 && left + cw <= 400, "inside");
      double area = (double) ch * cw / (300 * 400);
      assertTrue(area > 0.07 && area <= 1.0, "area " + area);
      double aspect = (double) cw / ch;
      assertTrue(aspect > 0.70 && aspect < 1.40, "aspect " + aspect);
    }
    // A 1x100 strip can never fit an aspect in [3/4, 4/3]: torchvision's fallback crops the centre.
    assertArrayEquals(new int[] {0, 49, 1, 1}, Augmentation.randomResizedBox(1, 100, new SplittableRandom(2)));
  }

  @Test
  void bilinearResizeMatchesPilOnKnownValues() {
    // Upscaling [0, 100] by 2 with pixel centres at +0.5: 0, 25, 75, 100 (edges clamp).
    RawImage row = new RawImage(1, 1, 2, new byte[] {0, 100}, 0);
    byte[] up = Resample.resize(row, 0, 0, 2, 1, 1, 4);
    assertArrayEquals(new byte[] {0, 25, 75, 100}, up);
    // Downscaling averages with a widened triangle: a constant stays constant.
    byte[] flat = new byte[3 * 37 * 53];
    java.util.Arrays.fill(flat, (byte) 200);
    byte[] down = Resample.resize(new RawImage(3, 37, 53, flat, 0), 3, 2, 40, 30, 7, 11);
    for (byte b : down) assertEquals(200, b & 0xff);
  }

  @Test
  void imagenetEvaluationResizesTheShorterSideThenCentreCrops() {
    // A 3x40x80 image whose columns form a ramp: after resizing to 20x40 and centre cropping 16x16
    // (top 2, left 12), output column x comes from the original column 2*(12+x) + 0.5.
    byte[] px = new byte[3 * 40 * 80];
    for (int c = 0; c < 3; c++) for (int y = 0; y < 40; y++) for (int x = 0; x < 80; x++) px[(c * 40 + y) * 80 + x] = (byte) (2 * x);
    Augmentation a = Augmentation.evaluation(new Augment(0, 0, false, 16, 20), Normalize.NONE, 3, 0, 0);
    assertEquals(new Shape(3, 16, 16), a.outputShape());
    float[] out = new float[3 * 256];
    a.apply(new RawImage(3, 40, 80, px, 0), null, out, 0);
    for (int x = 0; x < 16; x++) assertEquals(Math.round(2 * (2 * (12 + x) + 0.5)) / 255f, out[5 * 16 + x], 1e-6f);
  }

  @Test
  void imagenetTrainingIsSeededAndHasTheCropSize() {
    RawImage im = image(50, 70);
    Augmentation a = Augmentation.training(new Augment(0, 0, true, 24, 0), CIFAR_NORM, 3, 0, 0);
    float[] x = new float[3 * 24 * 24], y = new float[3 * 24 * 24], z = new float[3 * 24 * 24];
    a.apply(im, new SplittableRandom(5), x, 0);
    a.apply(im, new SplittableRandom(5), y, 0);
    a.apply(im, new SplittableRandom(6), z, 0);
    assertArrayEquals(x, y);
    assertTrue(!java.util.Arrays.equals(x, z));
  }

  @Test
  void rejectsMismatchedNormalisationAndVaryingSizesWithoutResizedCrop() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Augmentation.training(Augment.NONE, CIFAR_NORM, 1, 28, 28));
    assertEquals("normalize mean has 3 values but the images have 1 channel", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Augmentation.training(Augment.NONE, Normalize.NONE, 3, 0, 0));
    assertEquals("images of varying size need 'augment resized_crop N' in the schedule to give them one size", e.getMessage());
  }
}
