package io.nrj.runtime.data;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Turns what the user passes as {@code --data} into a {@link DataSet}: the name {@code mnist} (the
 * 8,000/2,000-digit subset shipped inside nrj), an MNIST directory (IDX files, plain or .gz), a
 * CIFAR-10 directory ({@code data_batch_*.bin} and {@code test_batch.bin}) or CIFAR-100 directory
 * ({@code train.bin}, {@code test.bin}), or one of those files, or an image-folder root with {@code
 * train/} and {@code val/} (or {@code test/}).
 */
public final class DataSets {
  /** The name of the built-in MNIST subset. */
  public static final String BUILTIN_MNIST = "mnist";

  private static final String RESOURCES = "/io/nrj/runtime/data/mnist/";
  private static final Pattern CIFAR10_TRAIN = Pattern.compile("data_batch_(\\d+)\\.bin(\\.gz)?");
  private static final Pattern CIFAR10_TEST = Pattern.compile("test_batch\\.bin(\\.gz)?");
  private static final Pattern CIFAR100 = Pattern.compile("(train|test)\\.bin(\\.gz)?");
  private static final Pattern IDX_IMAGES = Pattern.compile("(.*)-images[-.]idx3-ubyte(\\.gz)?");

  private DataSets() {}

  /** Resolves a path or the name {@code mnist}; throws {@link DataException} saying what was expected. */
  public static DataSet open(String pathOrName) {
    if (pathOrName.equals(BUILTIN_MNIST)) return builtinMnist();
    return open(Path.of(pathOrName));
  }

  /** Resolves a directory or file. */
  public static DataSet open(Path p) {
    if (Files.isDirectory(p)) return openDirectory(p);
    if (Files.isRegularFile(p)) return openFile(p);
    Path parent = p.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) throw new DataException(p, "directory " + parent + " does not exist");
    throw new DataException(p, "no such file or directory (give a MNIST, CIFAR-10/100 or image-folder directory, or 'mnist')");
  }

  /** The MNIST subset shipped in nrj's resources. */
  public static DataSet builtinMnist() {
    Path where = Path.of(BUILTIN_MNIST);
    return new DataSet(
        DataSet.Kind.MNIST, where, () -> resourceMnist("train"), () -> resourceMnist("t10k"));
  }

  private static ImageSet resourceMnist(String prefix) {
    String img = prefix + "-images-idx3-ubyte.gz", lab = prefix + "-labels-idx1-ubyte.gz";
    try (InputStream i = DataSets.class.getResourceAsStream(RESOURCES + img);
        InputStream l = DataSets.class.getResourceAsStream(RESOURCES + lab)) {
      if (i == null || l == null) throw new DataException(Path.of(BUILTIN_MNIST), "built-in MNIST is missing from the nrj jar");
      return MnistIdx.read(Path.of(BUILTIN_MNIST, img), i, Path.of(BUILTIN_MNIST, lab), l);
    } catch (java.io.IOException e) {
      throw new DataException(Path.of(BUILTIN_MNIST), "cannot read built-in MNIST: " + e.getMessage(), e);
    }
  }

  private static DataSet openDirectory(Path dir) {
    if (DataFiles.plainOrGz(dir, "train-images-idx3-ubyte") != null) return mnistDir(dir, "train");
    List<Path> batches = cifar10Batches(dir);
    if (!batches.isEmpty()) return cifar10(dir, batches, requireFile(dir, "test_batch.bin", "CIFAR-10"));
    Path train100 = DataFiles.plainOrGz(dir, "train.bin");
    if (train100 != null) return cifar100(dir, train100, requireFile(dir, "test.bin", "CIFAR-100"));
    if (Files.isDirectory(dir.resolve("train"))) return imageFolders(dir);
    for (String sub : List.of("cifar-10-batches-bin", "cifar-100-binary")) {
      if (Files.isDirectory(dir.resolve(sub))) return openDirectory(dir.resolve(sub));
    }
    throw new DataException(
        dir,
        "not a data set directory: expected train-images-idx3-ubyte[.gz] (MNIST), data_batch_*.bin[.gz] (CIFAR-10),"
            + " train.bin[.gz] (CIFAR-100) or train/ and val/ class folders");
  }

  private static DataSet openFile(Path f) {
    String name = f.getFileName().toString();
    Path dir = f.toAbsolutePath().getParent();
    if (CIFAR10_TRAIN.matcher(name).matches()) return cifar10(dir, List.of(f), requireFile(dir, "test_batch.bin", "CIFAR-10"));
    if (CIFAR10_TEST.matcher(name).matches()) return cifar10(dir, List.of(f), f);
    Matcher m = CIFAR100.matcher(name);
    if (m.matches()) {
      return m.group(1).equals("test") ? cifar100(dir, f, f) : cifar100(dir, f, requireFile(dir, "test.bin", "CIFAR-100"));
    }
    Matcher idx = IDX_IMAGES.matcher(name);
    if (idx.matches()) {
      // Like CIFAR: a training file takes the t10k pair beside it as its test split; a test file is both.
      Path labels = labelsFor(f);
      if (idx.group(1).equals("t10k")) {
        return new DataSet(DataSet.Kind.MNIST, f, () -> MnistIdx.read(f, labels), () -> MnistIdx.read(f, labels));
      }
      Path testImages = requireFile(dir, "t10k-images-idx3-ubyte", "MNIST");
      Path testLabels = requireFile(dir, "t10k-labels-idx1-ubyte", "MNIST");
      return new DataSet(
          DataSet.Kind.MNIST, f, () -> MnistIdx.read(f, labels), () -> MnistIdx.read(testImages, testLabels));
    }
    throw new DataException(
        f, "not a known data file: expected a CIFAR-10 data_batch_N.bin/test_batch.bin, CIFAR-100 train.bin/test.bin"
            + " or MNIST *-images-idx3-ubyte file (optionally .gz)");
  }

  private static DataSet mnistDir(Path dir, String trainPrefix) {
    Path trainImages = DataFiles.plainOrGz(dir, trainPrefix + "-images-idx3-ubyte");
    Path trainLabels = requireFile(dir, trainPrefix + "-labels-idx1-ubyte", "MNIST");
    Path testImages = requireFile(dir, "t10k-images-idx3-ubyte", "MNIST");
    Path testLabels = requireFile(dir, "t10k-labels-idx1-ubyte", "MNIST");
    return new DataSet(
        DataSet.Kind.MNIST, dir, () -> MnistIdx.read(trainImages, trainLabels), () -> MnistIdx.read(testImages, testLabels));
  }

  private static Path labelsFor(Path images) {
    String name = images.getFileName().toString();
    String labels = name.replace("-images-idx3-ubyte", "-labels-idx1-ubyte").replace("-images.idx3-ubyte", "-labels.idx1-ubyte");
    Path p = images.resolveSibling(labels);
    if (!Files.isRegularFile(p)) throw new DataException(images, "no label file " + labels + " next to it");
    return p;
  }

  private static List<Path> cifar10Batches(Path dir) {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> CIFAR10_TRAIN.matcher(p.getFileName().toString()).matches())
          .sorted(java.util.Comparator.comparingInt(DataSets::batchNumber))
          .forEach(out::add);
    } catch (java.io.IOException e) {
      throw new DataException(dir, "cannot list: " + e.getMessage(), e);
    }
    // data_batch_1.bin and data_batch_1.bin.gz side by side: keep one of each number.
    List<Path> unique = new ArrayList<>();
    for (Path p : out) {
      if (unique.isEmpty() || batchNumber(unique.getLast()) != batchNumber(p)) unique.add(p);
    }
    return unique;
  }

  private static int batchNumber(Path p) {
    Matcher m = CIFAR10_TRAIN.matcher(p.getFileName().toString());
    return m.matches() ? Integer.parseInt(m.group(1)) : -1;
  }

  private static DataSet cifar10(Path where, List<Path> train, Path test) {
    return new DataSet(
        DataSet.Kind.CIFAR10,
        where,
        () -> CifarBinary.read(CifarBinary.Variant.CIFAR10, train),
        () -> CifarBinary.read(CifarBinary.Variant.CIFAR10, List.of(test)));
  }

  private static DataSet cifar100(Path where, Path train, Path test) {
    return new DataSet(
        DataSet.Kind.CIFAR100,
        where,
        () -> CifarBinary.read(CifarBinary.Variant.CIFAR100, List.of(train)),
        () -> CifarBinary.read(CifarBinary.Variant.CIFAR100, List.of(test)));
  }

  private static DataSet imageFolders(Path root) {
    Path val = root.resolve("val");
    if (!Files.isDirectory(val)) val = root.resolve("test");
    if (!Files.isDirectory(val)) throw new DataException(root, "has train/ but no val/ (or test/) folder");
    ImageFolderSet train = ImageFolderSet.scan(root.resolve("train"), null);
    ImageFolderSet test = ImageFolderSet.scan(val, train.classes());
    return DataSet.of(DataSet.Kind.IMAGE_FOLDER, root, train, test);
  }

  private static Path requireFile(Path dir, String name, String format) {
    Path p = DataFiles.plainOrGz(dir, name);
    if (p == null) throw new DataException(dir, "is a " + format + " directory but has no " + name + " (or " + name + ".gz)");
    return p;
  }
}
