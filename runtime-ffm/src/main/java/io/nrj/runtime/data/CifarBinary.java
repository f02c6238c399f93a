package io.nrj.runtime.data;

import java.nio.file.Path;
import java.util.List;

/**
 * CIFAR-10 and CIFAR-100 binary records (https://www.cs.toronto.edu/~kriz/cifar.html): CIFAR-10
 * records are 1 label byte + 3072 pixel bytes (1024 red, 1024 green, 1024 blue, row-major 32x32);
 * CIFAR-100 records are a coarse and a fine label byte + 3072 pixel bytes (nrj uses the fine label).
 */
public final class CifarBinary {
  public static final int PIXELS = 3 * 32 * 32;
  static final List<String> CIFAR10_CLASSES =
      List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

  private CifarBinary() {}

  /** Which of the two formats a file holds. */
  public enum Variant {
    CIFAR10(1, 10),
    CIFAR100(2, 100);

    final int labelBytes;
    final int classes;

    Variant(int labelBytes, int classes) {
      this.labelBytes = labelBytes;
      this.classes = classes;
    }

    int recordSize() {
      return labelBytes + PIXELS;
    }

    List<String> classNames() {
      if (this == CIFAR10) return CIFAR10_CLASSES;
      return java.util.stream.IntStream.range(0, 100).mapToObj(Integer::toString).toList();
    }
  }

  /** Reads and concatenates the records of {@code files} (plain or .gz) into one (3, 32, 32) set. */
  public static ArrayImageSet read(Variant v, List<Path> files) {
    byte[][] contents = new byte[files.size()][];
    long records = 0;
    for (int f = 0; f < files.size(); f++) {
      Path file = files.get(f);
      byte[] b = DataFiles.readAll(file);
      if (b.length == 0) throw new DataException(file, "file is empty");
      if (b.length % v.recordSize() != 0) {
        throw new DataException(
            file,
            "file is truncated or not " + v.name() + ": " + b.length + " bytes is not a multiple of the "
                + v.recordSize() + "-byte record");
      }
      contents[f] = b;
      records += b.length / v.recordSize();
    }
    int n = Math.toIntExact(records);
    byte[] pixels = new byte[n * PIXELS];
    int[] labels = new int[n];
    int i = 0;
    for (int f = 0; f < files.size(); f++) {
      byte[] b = contents[f];
      for (int r = 0; r < b.length / v.recordSize(); r++, i++) {
        int at = r * v.recordSize();
        int label = b[at + v.labelBytes - 1] & 0xff; // the last label byte: CIFAR-100's fine label
        if (label >= v.classes) {
          throw new DataException(
              files.get(f), "record " + r + " has label " + label + ", beyond the " + v.classes + " classes of " + v.name());
        }
        labels[i] = label;
        System.arraycopy(b, at + v.labelBytes, pixels, i * PIXELS, PIXELS);
      }
      contents[f] = null; // let the file buffer go before reading more
    }
    return new ArrayImageSet(3, 32, 32, pixels, labels, v.classNames());
  }
}
