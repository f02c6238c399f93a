package io.nrj.dsl.ir;

/** The shape of one sample's activation: channels x height x width (the batch dimension is left out). */
public record Shape(int channels, int height, int width) {
  public Shape {
    if (channels < 0 || height <= 0 || width <= 0) {
      throw new IllegalArgumentException("bad shape " + channels + "x" + height + "x" + width);
    }
  }

  public long size() {
    return (long) channels * height * width;
  }

  public Shape withChannels(int c) {
    return new Shape(c, height, width);
  }

  @Override
  public String toString() {
    return channels + "x" + height + "x" + width;
  }
}
