package io.nrj.runtime.data;

/**
 * Bilinear resampling of a box of an 8-bit planar image, antialiased when shrinking, as PIL's
 * {@code Image.resize(..., BILINEAR)} (which torchvision's Resize and RandomResizedCrop use on PIL
 * images) does: a triangle filter whose support widens with the shrink factor, pixel centres at
 * +0.5, separable (rows, then columns), rounded and clamped back to 0..255.
 */
final class Resample {
  private Resample() {}

  /** Filter taps for one axis: output i reads {@code len[i]} inputs from {@code start[i]}. */
  private record Taps(int[] start, int[] len, float[] w, int maxLen) {}

  private static Taps taps(double box0, double boxSize, int inSize, int outSize) {
    double scale = boxSize / outSize;
    double filterScale = Math.max(scale, 1.0);
    double support = filterScale; // the bilinear (triangle) filter has support 1
    int maxLen = (int) Math.ceil(support) * 2 + 1;
    int[] start = new int[outSize], len = new int[outSize];
    float[] w = new float[outSize * maxLen];
    for (int i = 0; i < outSize; i++) {
      double center = box0 + (i + 0.5) * scale;
      int lo = Math.max(0, (int) (center - support + 0.5));
      int hi = Math.min(inSize, (int) (center + support + 0.5));
      int n = Math.min(hi - lo, maxLen);
      double total = 0;
      for (int k = 0; k < n; k++) {
        double t = Math.abs((k + lo - center + 0.5) / filterScale);
        double v = t < 1 ? 1 - t : 0;
        w[i * maxLen + k] = (float) v;
        total += v;
      }
      if (total > 0) for (int k = 0; k < n; k++) w[i * maxLen + k] /= (float) total;
      start[i] = lo;
      len[i] = n;
    }
    return new Taps(start, len, w, maxLen);
  }

  /**
   * Resizes the box (x0, y0, bw, bh) of {@code src} to (outH, outW); returns planar (C, outH, outW)
   * bytes.
   */
  static byte[] resize(RawImage src, double x0, double y0, double bw, double bh, int outH, int outW) {
    int c = src.channels(), h = src.height(), w = src.width();
    Taps tx = taps(x0, bw, w, outW), ty = taps(y0, bh, h, outH);
    byte[] out = new byte[c * outH * outW];
    // Horizontal pass only over the input rows the vertical taps read: (rows, outW) floats.
    int rowLo = ty.start[0], rowHi = ty.start[outH - 1] + ty.len[outH - 1];
    float[] tmp = new float[(rowHi - rowLo) * outW];
    byte[] px = src.pixels();
    for (int ch = 0; ch < c; ch++) {
      int base = src.offset() + ch * h * w;
      for (int y = rowLo; y < rowHi; y++) {
        int row = base + y * w;
        for (int x = 0; x < outW; x++) {
          float s = 0;
          int st = tx.start[x], wo = x * tx.maxLen;
          for (int k = 0; k < tx.len[x]; k++) s += (px[row + st + k] & 0xff) * tx.w[wo + k];
          tmp[(y - rowLo) * outW + x] = s;
        }
      }
      int ob = ch * outH * outW;
      for (int y = 0; y < outH; y++) {
        int st = ty.start[y] - rowLo, wo = y * ty.maxLen;
        for (int x = 0; x < outW; x++) {
          float s = 0;
          for (int k = 0; k < ty.len[y]; k++) s += tmp[(st + k) * outW + x] * ty.w[wo + k];
          int v = Math.round(s);
          out[ob + y * outW + x] = (byte) Math.max(0, Math.min(255, v));
        }
      }
    }
    return out;
  }
}
