package io.nrj.runtime.data;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * MNIST in the IDX format (http://yann.lecun.com/exdb/mnist/): big-endian magic 0x00000803 then
 * count, rows, cols and the pixels for images; magic 0x00000801, count and the labels for labels.
 */
public final class MnistIdx {
  static final int IMAGES_MAGIC = 0x00000803;
  static final int LABELS_MAGIC = 0x00000801;
  static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

  private MnistIdx() {}

  /** Reads an image file and its label file into one (1, rows, cols) image set. */
  public static ArrayImageSet read(Path images, Path labels) {
    return parse(images, DataFiles.readAll(images), labels, DataFiles.readAll(labels));
  }

  static ArrayImageSet read(Path imagesName, InputStream images, Path labelsName, InputStream labels) {
    return parse(
        imagesName, DataFiles.readAll(imagesName, images, true), labelsName, DataFiles.readAll(labelsName, labels, true));
  }

  static ArrayImageSet parse(Path imagesFile, byte[] img, Path labelsFile, byte[] lab) {
    ByteBuffer ib = ByteBuffer.wrap(img); // big-endian, as IDX is
    checkMagic(imagesFile, ib, 16, IMAGES_MAGIC, "images");
    int n = ib.getInt(4), rows = ib.getInt(8), cols = ib.getInt(12);
    if (n < 0 || rows <= 0 || cols <= 0) {
      throw new DataException(imagesFile, "bad IDX dimensions " + n + "x" + rows + "x" + cols);
    }
    long expect = 16 + (long) n * rows * cols;
    checkLength(imagesFile, img.length, expect, n + " images of " + rows + "x" + cols);
    ByteBuffer lb = ByteBuffer.wrap(lab);
    checkMagic(labelsFile, lb, 8, LABELS_MAGIC, "labels");
    int nl = lb.getInt(4);
    checkLength(labelsFile, lab.length, 8 + (long) Math.max(nl, 0), nl + " labels");
    if (nl != n) throw new DataException(labelsFile, "holds " + nl + " labels but " + imagesFile.getFileName() + " holds " + n + " images");
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = lab[8 + i] & 0xff;
      if (labels[i] > 9) throw new DataException(labelsFile, "label " + labels[i] + " of sample " + i + " is not a digit 0-9");
    }
    byte[] pixels = java.util.Arrays.copyOfRange(img, 16, img.length);
    return new ArrayImageSet(1, rows, cols, pixels, labels, DIGITS);
  }

  private static void checkMagic(Path file, ByteBuffer b, int headerLen, int magic, String what) {
    if (b.limit() >= 4 && b.getInt(0) != magic) {
      throw new DataException(
          file, String.format("wrong magic 0x%08x, expected 0x%08x (IDX %s)", b.getInt(0), magic, what));
    }
    if (b.limit() < headerLen) {
      throw new DataException(file, "file is truncated: " + b.limit() + " bytes, shorter than the IDX " + what + " header");
    }
  }

  static void checkLength(Path file, long actual, long expect, String what) {
    if (actual < expect) {
      throw new DataException(file, "file is truncated: " + actual + " bytes, " + what + " need " + expect);
    }
    if (actual > expect) {
      throw new DataException(file, "file has " + (actual - expect) + " bytes beyond the " + what + " it declares");
    }
  }
}
