package io.nrj.runtime.cpu;

import io.nrj.runtime.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A float32 tensor of the CPU backend: native memory in a {@link MemorySegment}. An owning tensor
 * holds its own shared arena (any pool thread may touch it) and frees the memory on {@link
 * #close()}; a view shares a slice of its parent's memory and closing it does nothing. Using a view
 * after its parent is closed throws {@link IllegalStateException} (the arena checks it).
 */
public final class CpuTensor implements Tensor {
  /** Alignment of owned blocks: one cache line, so vector loads of whole tensors are aligned. */
  static final long ALIGN = 64;

  private final MemorySegment seg;
  private final int[] shape;
  private final Arena arena; // null for views

  private CpuTensor(MemorySegment seg, int[] shape, Arena arena) {
    this.seg = seg;
    this.shape = shape;
    this.arena = arena;
  }

  /** A new zero-filled tensor owning its memory. */
  static CpuTensor allocate(int... shape) {
    long n = numel(shape);
    Arena arena = Arena.ofShared();
    // Arena.allocate zero-fills; allocate at least one float so empty tensors still have a segment.
    MemorySegment seg = arena.allocate(Math.max(1, n) * Float.BYTES, ALIGN).asSlice(0, n * Float.BYTES);
    return new CpuTensor(seg, shape.clone(), arena);
  }

  /** The tensor's memory (exactly numel floats). */
  public MemorySegment segment() {
    return seg;
  }

  /** The segment of a tensor that must come from the CPU backend. */
  static MemorySegment seg(Tensor t) {
    if (t instanceof CpuTensor c) return c.seg;
    throw new IllegalArgumentException(
        "tensor " + Arrays.toString(t.shape()) + " belongs to another backend, not the CPU backend");
  }

  @Override
  public int[] shape() {
    return shape;
  }

  @Override
  public long numel() {
    return seg.byteSize() / Float.BYTES;
  }

  @Override
  public Tensor view(long offset, int... viewShape) {
    long n = numel(viewShape);
    if (offset < 0 || offset + n > numel()) {
      throw new IndexOutOfBoundsException(
          "view of " + Arrays.toString(viewShape) + " at offset " + offset
              + " does not fit in a tensor of " + numel() + " elements " + Arrays.toString(shape));
    }
    return new CpuTensor(seg.asSlice(offset * Float.BYTES, n * Float.BYTES), viewShape.clone(), null);
  }

  /** Element i (for tests and debugging; kernels access the segment directly). */
  public float get(long i) {
    return seg.getAtIndex(ValueLayout.JAVA_FLOAT, i);
  }

  @Override
  public void close() {
    if (arena != null && arena.scope().isAlive()) arena.close();
  }

  @Override
  public String toString() {
    return "CpuTensor" + Arrays.toString(shape) + (arena == null ? " (view)" : "");
  }

  static long numel(int[] shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      n *= d;
    }
    return n;
  }
}
