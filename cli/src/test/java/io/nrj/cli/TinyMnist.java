package io.nrj.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes a tiny MNIST-format data set (plain IDX files) of 28x28 synthetic images in 3 classes:
 * horizontal stripes, vertical stripes, checkerboard (translation-invariant, so a net with global
 * pooling learns it in a few steps).
 */
final class TinyMnist {
  private TinyMnist() {}

  static Path write(Path dir, int train, int test) throws IOException {
    Files.createDirectories(dir);
    write(dir, "train", train, 1);
    write(dir, "t10k", test, 2);
    return dir;
  }

  private static void write(Path dir, String prefix, int n, long seed) throws IOException {
    Random r = new Random(seed);
    ByteBuffer img = ByteBuffer.allocate(16 + n * 784);
    img.putInt(2051).putInt(n).putInt(28).putInt(28);
    ByteBuffer lab = ByteBuffer.allocate(8 + n);
    lab.putInt(2049).putInt(n);
    for (int i = 0; i < n; i++) {
      int y = r.nextInt(3);
      lab.put((byte) y);
      int phase = r.nextInt(4);
      for (int p = 0; p < 784; p++) {
        int row = p / 28 + phase;
        int col = p % 28 + phase;
        boolean on =
            switch (y) {
              case 0 -> row % 4 < 2;
              case 1 -> col % 4 < 2;
              default -> (row / 2 + col / 2) % 2 == 0;
            };
        int v = (on ? 180 : 40) + (int) (30 * r.nextGaussian());
        img.put((byte) Math.clamp(v, 0, 255));
      }
    }
    Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), img.array());
    Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), lab.array());
  }
}
