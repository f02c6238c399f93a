package io.nrj.runtime.data;

import io.nrj.dsl.ir.Shape;
import io.nrj.dsl.ir.ScheduleIr.Augment;
import io.nrj.dsl.ir.ScheduleIr.Normalize;
import java.util.SplittableRandom;

/**
 * The per-sample transform of spec §9, from 8-bit planar pixels to normalised floats (C, H, W).
 *
 * <p>Training, fixed-size images (CIFAR, MNIST): random crop of {@code crop} from the image
 * zero-padded by {@code pad} (padding happens on raw pixels, before normalisation, so padded pixels
 * become -mean/std), horizontal flip with p = 0.5, scale to [0, 1], normalise. Training, images of
 * any size (ImageNet folders, {@code resizedCrop > 0}): random-resized crop (area 0.08-1 of the
 * image, aspect 3/4-4/3, ten tries then a centre fallback, as torchvision) resampled bilinearly to
 * resizedCrop², flip, scale, normalise. Evaluation: no randomness; fixed-size images are centre
 * cropped to {@code crop} when it is smaller than the image; variable-size images are resized so the
 * shorter side is {@code resize} (or resizedCrop when 0) and centre cropped to resizedCrop.
 *
 * <p>The random draws come only from the {@link SplittableRandom} passed in, so a sample's result
 * depends on its seed alone, never on threads. Spec §9's "Jigsaw" duplicate channels are not made:
 * the reference training loop drops them.
 */
public final class Augmentation {
  private final boolean train;
  private final Augment aug;
  private final int channels;
  private final int inH;
  private final int inW;
  private final int outH;
  private final int outW;
  // out = pixel * mul[c] + add[c]: scale to [0,1] and normalise in one multiply-add.
  private final float[] mul;
  private final float[] add;

  private Augmentation(boolean train, Augment aug, Normalize norm, int channels, int inH, int inW) {
    this.train = train;
    this.aug = aug;
    this.channels = channels;
    this.inH = inH;
    this.inW = inW;
    if (aug.resizedCrop() > 0) {
      outH = outW = aug.resizedCrop();
    } else if (inH == 0) {
      throw new IllegalArgumentException(
          "images of varying size need 'augment resized_crop N' in the schedule to give them one size");
    } else if (aug.crop() > 0) {
      if (aug.crop() > inH + 2 * aug.pad() || aug.crop() > inW + 2 * aug.pad()) {
        throw new IllegalArgumentException(
            "crop " + aug.crop() + " is larger than the " + inH + "x" + inW + " images padded by " + aug.pad());
      }
      // Evaluation centre-crops only when the crop is smaller than the image; never pads.
      outH = train ? aug.crop() : Math.min(aug.crop(), inH);
      outW = train ? aug.crop() : Math.min(aug.crop(), inW);
    } else {
      outH = inH;
      outW = inW;
    }
    mul = new float[channels];
    add = new float[channels];
    for (int c = 0; c < channels; c++) {
      double mean = pick(norm.mean(), c, 0.0, "mean"), std = pick(norm.std(), c, 1.0, "std");
      if (!(std > 0)) throw new IllegalArgumentException("normalize std must be positive, got " + std);
      mul[c] = (float) (1.0 / (255.0 * std));
      add[c] = (float) (-mean / std);
    }
  }

  private double pick(java.util.List<Double> values, int c, double none, String what) {
    if (values.isEmpty()) return none;
    if (values.size() == 1) return values.getFirst();
    if (values.size() != channels) {
      throw new IllegalArgumentException(
          "normalize " + what + " has " + io.nrj.dsl.Plural.of(values.size(), "value") + " but the images have "
              + io.nrj.dsl.Plural.of(channels, "channel"));
    }
    return values.get(c);
  }

  /** The training transform for images of (channels, height, width); height 0 means varying sizes. */
  public static Augmentation training(Augment a, Normalize n, int channels, int height, int width) {
    return new Augmentation(true, a, n, channels, height, width);
  }

  /** The evaluation transform (deterministic). */
  public static Augmentation evaluation(Augment a, Normalize n, int channels, int height, int width) {
    return new Augmentation(false, a, n, channels, height, width);
  }

  /** The transform for a split's images. */
  public static Augmentation forSet(ImageSet set, boolean train, Augment a, Normalize n) {
    return new Augmentation(train, a, n, set.channels(), set.height(), set.width());
  }

  /** The shape of one output sample. */
  public Shape outputShape() {
    return new Shape(channels, outH, outW);
  }

  /** Whether {@link #apply} draws random numbers. */
  public boolean isRandom() {
    return train && (aug.crop() > 0 || aug.flip() || aug.resizedCrop() > 0);
  }

  /** Transforms {@code img} into {@code out[off .. off + C*outH*outW)}. */
  public void apply(RawImage img, SplittableRandom rng, float[] out, int off) {
    if (img.channels() != channels) {
      throw new IllegalArgumentException("image has " + img.channels() + " channels, expected " + channels);
    }
    if (aug.resizedCrop() > 0) {
      applyResized(img, rng, out, off);
      return;
    }
    if (img.height() != inH || img.width() != inW) {
      throw new IllegalArgumentException("image is " + img.height() + "x" + img.width() + ", expected " + inH + "x" + inW);
    }
    int top, left; // of the output window in unpadded image coordinates
    boolean flip = false;
    if (train && aug.crop() > 0) {
      // torchvision RandomCrop: i = randint(0, H + 2p - crop + 1) in padded coordinates.
      top = rng.nextInt(inH + 2 * aug.pad() - outH + 1) - aug.pad();
      left = rng.nextInt(inW + 2 * aug.pad() - outW + 1) - aug.pad();
    } else {
      top = (int) Math.round((inH - outH) / 2.0); // torchvision CenterCrop rounding
      left = (int) Math.round((inW - outW) / 2.0);
    }
    if (train && aug.flip()) flip = rng.nextDouble() < 0.5;
    byte[] px = img.pixels();
    for (int c = 0; c < channels; c++) {
      float m = mul[c], a = add[c];
      int src = img.offset() + c * inH * inW, dst = off + c * outH * outW;
      for (int y = 0; y < outH; y++) {
        int sy = top + y;
        int row = dst + y * outW;
        if (sy < 0 || sy >= inH) {
          java.util.Arrays.fill(out, row, row + outW, a); // zero padding, normalised
          continue;
        }
        int srow = src + sy * inW;
        for (int x = 0; x < outW; x++) {
          int sx = left + (flip ? outW - 1 - x : x);
          out[row + x] = (sx < 0 || sx >= inW) ? a : (px[srow + sx] & 0xff) * m + a;
        }
      }
    }
  }

  private void applyResized(RawImage img, SplittableRandom rng, float[] out, int off) {
    int h = img.height(), w = img.width(), s = aug.resizedCrop();
    byte[] px;
    boolean flip = false;
    if (train) {
      int[] box = randomResizedBox(h, w, rng); // top, left, height, width
      px = Resample.resize(img, box[1], box[0], box[3], box[2], s, s);
      if (aug.flip()) flip = rng.nextDouble() < 0.5;
    } else {
      // Resize the shorter side to `resize` (torchvision truncates the longer side), centre crop s.
      int r = aug.resize() > 0 ? aug.resize() : s;
      int rh = h <= w ? r : (int) ((long) r * h / w);
      int rw = h <= w ? (int) ((long) r * w / h) : r;
      if (rh < s || rw < s) throw new IllegalArgumentException("resize " + r + " is smaller than the crop " + s);
      int top = (int) Math.round((rh - s) / 2.0), left = (int) Math.round((rw - s) / 2.0);
      // The centre crop of the resized image is the resize of the matching box of the original
      // (same scale, same taps), so only s x s outputs are computed.
      double sy = (double) h / rh, sx = (double) w / rw;
      px = Resample.resize(img, left * sx, top * sy, s * sx, s * sy, s, s);
    }
    for (int c = 0; c < channels; c++) {
      float m = mul[c], a = add[c];
      int src = c * s * s, dst = off + c * s * s;
      for (int y = 0; y < s; y++) {
        for (int x = 0; x < s; x++) {
          int sx = flip ? s - 1 - x : x;
          out[dst + y * s + x] = (px[src + y * s + sx] & 0xff) * m + a;
        }
      }
    }
  }

  /** torchvision RandomResizedCrop.get_params with scale (0.08, 1), ratio (3/4, 4/3). */
  static int[] randomResizedBox(int h, int w, SplittableRandom rng) {
    double area = (double) h * w;
    double logLo = Math.log(3.0 / 4.0), logHi = Math.log(4.0 / 3.0);
    for (int attempt = 0; attempt < 10; attempt++) {
      double target = area * (0.08 + rng.nextDouble() * (1 - 0.08));
      double aspect = Math.exp(logLo + rng.nextDouble() * (logHi - logLo));
      int cw = (int) Math.round(Math.sqrt(target * aspect));
      int ch = (int) Math.round(Math.sqrt(target / aspect));
      if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
        int top = rng.nextInt(h - ch + 1), left = rng.nextInt(w - cw + 1);
        return new int[] {top, left, ch, cw};
      }
    }
    double ratio = (double) w / h;
    int cw, ch;
    if (ratio < 3.0 / 4.0) {
      cw = w;
      ch = (int) Math.round(w / (3.0 / 4.0));
    } else if (ratio > 4.0 / 3.0) {
      ch = h;
      cw = (int) Math.round(h * (4.0 / 3.0));
    } else {
      cw = w;
      ch = h;
    }
    return new int[] {(h - ch) / 2, (w - cw) / 2, ch, cw};
  }
}
