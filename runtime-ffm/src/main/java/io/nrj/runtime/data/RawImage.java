package io.nrj.runtime.data;

/**
 * One decoded 8-bit image, planar (C, H, W): {@code pixels[offset + (c * height + y) * width + x]}.
 * The array may be shared with a whole data set (hence the offset); treat it as read-only.
 */
public record RawImage(int channels, int height, int width, byte[] pixels, int offset) {
  public RawImage {
    if (channels <= 0 || height <= 0 || width <= 0) {
      throw new IllegalArgumentException("bad image size " + channels + "x" + height + "x" + width);
    }
    if (offset < 0 || offset + (long) channels * height * width > pixels.length) {
      throw new IllegalArgumentException("image lies outside its pixel array");
    }
  }

  /** The pixel at channel c, row y, column x, in 0..255. */
  public int at(int c, int y, int x) {
    return pixels[offset + (c * height + y) * width + x] & 0xff;
  }
}
