package io.nrj.runtime;

/**
 * A dense float32 tensor living on one {@link Backend}'s device, row-major (NCHW for activations,
 * OIHW for conv weights). A tensor either owns its memory (released by {@link #close()}) or is a
 * view into another tensor (for example one parameter inside the contiguous parameter block);
 * closing a view does nothing.
 */
public interface Tensor extends AutoCloseable {
  /** The dimensions, outermost first. Never modified by callers. */
  int[] shape();

  /** Number of elements. */
  long numel();

  /** A view of {@code shape} elements starting {@code offset} elements into this tensor. */
  Tensor view(long offset, int... shape);

  /** A view of the same memory with another shape of equal size. */
  default Tensor reshape(int... shape) {
    return view(0, shape);
  }

  @Override
  void close();
}
