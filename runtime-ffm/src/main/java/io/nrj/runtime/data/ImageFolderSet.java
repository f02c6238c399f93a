package io.nrj.runtime.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * An ImageNet-style split: one sub-folder per class (sorted by name, as torchvision's ImageFolder
 * does), each holding JPEG or PNG files (sorted by name). Images are decoded on demand with
 * javax.imageio, from the loader's worker threads, and converted to 3-channel RGB.
 *
 * <p>Not a cache: every epoch decodes again, as the reference implementation does.
 */
public final class ImageFolderSet implements ImageSet {
  private final Path root;
  private final List<String> classes;
  private final List<Path> files;
  private final int[] labels;

  private ImageFolderSet(Path root, List<String> classes, List<Path> files, int[] labels) {
    this.root = root;
    this.classes = List.copyOf(classes);
    this.files = List.copyOf(files);
    this.labels = labels;
  }

  /** Scans {@code root}; {@code expectedClasses}, when not null, must equal the found class names. */
  public static ImageFolderSet scan(Path root, List<String> expectedClasses) {
    if (!Files.isDirectory(root)) throw new DataException(root, "directory does not exist");
    List<String> classes = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
        List<Path> images;
        try (Stream<Path> s = Files.list(d)) {
          images = s.filter(p -> Files.isRegularFile(p) && isImage(p)).sorted().toList();
        }
        if (images.isEmpty()) continue; // torchvision skips empty class folders too
        for (Path p : images) {
          files.add(p);
          labels.add(classes.size());
        }
        classes.add(d.getFileName().toString());
      }
    } catch (IOException e) {
      throw new DataException(root, "cannot list: " + e.getMessage(), e);
    }
    if (classes.isEmpty()) {
      throw new DataException(root, "no class folders with .jpg, .jpeg or .png images");
    }
    if (expectedClasses != null && !expectedClasses.equals(classes)) {
      throw new DataException(
          root, "class folders " + classes + " differ from the training split's " + expectedClasses);
    }
    return new ImageFolderSet(root, classes, files, labels.stream().mapToInt(Integer::intValue).toArray());
  }

  static boolean isImage(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png");
  }

  public Path root() {
    return root;
  }

  /** The file of sample i. */
  public Path file(int i) {
    return files.get(i);
  }

  @Override
  public int size() {
    return files.size();
  }

  @Override
  public int channels() {
    return 3;
  }

  @Override
  public int height() {
    return 0;
  }

  @Override
  public int width() {
    return 0;
  }

  @Override
  public List<String> classes() {
    return classes;
  }

  @Override
  public int label(int i) {
    return labels[i];
  }

  @Override
  public RawImage image(int i) {
    return decode(files.get(i));
  }

  /** Decodes one JPEG or PNG file into planar RGB. */
  public static RawImage decode(Path file) {
    BufferedImage img;
    try {
      img = ImageIO.read(file.toFile());
    } catch (IOException e) {
      throw new DataException(file, "cannot decode image: " + e.getMessage(), e);
    }
    if (img == null) throw new DataException(file, "not a readable JPEG or PNG image");
    return toPlanarRgb(img);
  }

  /**
   * Converts to planar RGB. JPEGs decode to 3-byte BGR and grey PNGs to 1-byte grey: those are read
   * straight from the raster (getRGB's per-pixel colour-model calls cost as much as the decoding);
   * anything else goes through getRGB, which converts every colour model to sRGB.
   */
  static RawImage toPlanarRgb(BufferedImage img) {
    int h = img.getHeight(), w = img.getWidth(), plane = h * w;
    byte[] px = new byte[3 * plane];
    byte[] raw = packedBytes(img);
    if (raw != null && img.getType() == BufferedImage.TYPE_3BYTE_BGR) {
      for (int k = 0; k < plane; k++) {
        px[k] = raw[3 * k + 2];
        px[plane + k] = raw[3 * k + 1];
        px[2 * plane + k] = raw[3 * k];
      }
    } else if (raw != null && img.getType() == BufferedImage.TYPE_BYTE_GRAY) {
      for (int c = 0; c < 3; c++) System.arraycopy(raw, 0, px, c * plane, plane);
    } else {
      toPlanarRgbSlow(img, px);
    }
    return new RawImage(3, h, w, px, 0);
  }

  static void toPlanarRgbSlow(BufferedImage img, byte[] px) {
    int h = img.getHeight(), w = img.getWidth(), plane = h * w;
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    for (int k = 0; k < plane; k++) {
      int p = argb[k];
      px[k] = (byte) (p >>> 16);
      px[plane + k] = (byte) (p >>> 8);
      px[2 * plane + k] = (byte) p;
    }
  }

  // The pixel bytes when the raster is one tightly packed byte array starting at pixel (0, 0), else null.
  private static byte[] packedBytes(BufferedImage img) {
    java.awt.image.WritableRaster r = img.getRaster();
    if (!(r.getDataBuffer() instanceof java.awt.image.DataBufferByte db) || db.getNumBanks() != 1) return null;
    if (!(r.getSampleModel() instanceof java.awt.image.ComponentSampleModel sm)) return null;
    int bands = r.getNumBands();
    boolean packed = sm.getPixelStride() == bands
        && sm.getScanlineStride() == bands * img.getWidth()
        && r.getSampleModelTranslateX() == 0
        && r.getSampleModelTranslateY() == 0
        && db.getOffset() == 0
        && db.getData().length >= bands * img.getWidth() * img.getHeight();
    return packed ? db.getData() : null;
  }
}
