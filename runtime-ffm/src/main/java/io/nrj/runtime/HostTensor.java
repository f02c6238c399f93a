package io.nrj.runtime;

import java.util.Arrays;

/**
 * A float32 tensor on the Java heap: the exchange format between the device, checkpoints and the NR
 * engine's surgery. {@code data.length} equals the product of {@code shape}.
 */
public record HostTensor(int[] shape, float[] data) {
  public HostTensor {
    long n = 1;
    for (int d : shape) n *= d;
    if (n != data.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " holds " + n + " elements, data has " + data.length);
    }
  }

  public static HostTensor zeros(int... shape) {
    long n = 1;
    for (int d : shape) n *= d;
    return new HostTensor(shape.clone(), new float[Math.toIntExact(n)]);
  }

  public int numel() {
    return data.length;
  }

  public HostTensor copy() {
    return new HostTensor(shape.clone(), data.clone());
  }
}
