package io.nrj.runtime.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.ToIntFunction;

/**
 * An opaque library object (stream, cuBLAS/cuDNN handle, cuDNN descriptor, NVRTC-loaded
 * library) that must be destroyed exactly once. Like cuVS's CloseableRMMAllocation, {@link
 * #close()} swaps the handle to {@code NULL} before destroying it, so a second close does
 * nothing and use after close fails loudly instead of passing a dangling pointer to C.
 */
public final class NativeHandle implements AutoCloseable {
  /** One of {@link Cuda#check}, {@link Cudnn#check}, {@link Cublas#check}. */
  @FunctionalInterface
  public interface Checker {
    void check(int status, String call);
  }

  private final String kind;
  private final Checker checker;
  private final String destroyCall;
  private final ToIntFunction<MemorySegment> destroy;
  private MemorySegment handle;

  private NativeHandle(String kind, MemorySegment handle, Checker checker, String destroyCall,
      ToIntFunction<MemorySegment> destroy) {
    this.kind = kind;
    this.handle = handle;
    this.checker = checker;
    this.destroyCall = destroyCall;
    this.destroy = destroy;
  }

  /**
   * Calls {@code create} with an out-pointer (e.g. {@code cudnnCreateTensorDescriptor}) and wraps
   * the handle it writes.
   */
  public static NativeHandle create(String createCall, ToIntFunction<MemorySegment> create,
      Checker checker, String destroyCall, ToIntFunction<MemorySegment> destroy) {
    try (var arena = Arena.ofConfined()) {
      var out = arena.allocate(ValueLayout.ADDRESS);
      checker.check(create.applyAsInt(out), createCall);
      return new NativeHandle(createCall, out.get(ValueLayout.ADDRESS, 0), checker, destroyCall, destroy);
    }
  }

  /** The raw handle, to pass to the library. */
  public MemorySegment get() {
    if (handle.equals(MemorySegment.NULL)) {
      throw new IllegalStateException("use of a closed handle from " + kind);
    }
    return handle;
  }

  @Override
  public void close() {
    release();
  }

  private void release() {
    MemorySegment h = handle;
    handle = MemorySegment.NULL;
    if (!h.equals(MemorySegment.NULL)) {
      checker.check(destroy.applyAsInt(h), destroyCall);
    }
  }
}
