package io.nrj.runtime.cuda;

import io.nrj.runtime.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A float32 tensor in device memory: an owning tensor holds a pooled {@link DeviceBuffer}; a view
 * holds only an address inside another tensor and closing it does nothing.
 */
public final class CudaTensor implements Tensor {
  private final DeviceBuffer buffer;
  private final MemorySegment base;
  private final long capacity;
  private final int[] shape;
  private final long numel;

  CudaTensor(DeviceBuffer buffer, MemorySegment base, long capacity, int[] shape) {
    this.buffer = buffer;
    this.base = base;
    this.capacity = capacity;
    this.shape = shape.clone();
    this.numel = numel(shape);
    if (numel > capacity) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + numel
          + " elements but only " + capacity + " are available");
    }
  }

  static long numel(int[] shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
      }
      n *= d;
    }
    return n;
  }

  /** The device address of element 0. */
  public MemorySegment ptr() {
    if (buffer != null) {
      buffer.address(); // fails if closed
    }
    return base;
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public long numel() {
    return numel;
  }

  @Override
  public Tensor view(long offset, int... viewShape) {
    long n = numel(viewShape);
    if (offset < 0 || offset + n > capacity) {
      throw new IndexOutOfBoundsException("view of " + n + " elements at " + offset
          + " outside a tensor of " + capacity);
    }
    return new CudaTensor(null, MemorySegment.ofAddress(ptr().address() + 4 * offset), capacity - offset, viewShape);
  }

  @Override
  public void close() {
    if (buffer != null) {
      buffer.close();
    }
  }

  @Override
  public String toString() {
    return "CudaTensor" + Arrays.toString(shape);
  }
}
