package io.nrj.runtime.cuda;

import static io.nrj.runtime.bindings.cudart_h.cudaGraphDestroy;
import static io.nrj.runtime.bindings.cudart_h.cudaGraphExecDestroy;
import static io.nrj.runtime.bindings.cudart_h.cudaGraphInstantiate;
import static io.nrj.runtime.bindings.cudart_h.cudaGraphLaunch;
import static io.nrj.runtime.bindings.cudart_h.cudaStreamBeginCapture;
import static io.nrj.runtime.bindings.cudart_h.cudaStreamCaptureModeThreadLocal;
import static io.nrj.runtime.bindings.cudart_h.cudaStreamEndCapture;
import static io.nrj.runtime.cuda.Cuda.check;

import io.nrj.runtime.RecordedWork;
import java.lang.foreign.MemorySegment;

/**
 * A recorded sequence of GPU work (a CUDA graph), replayed with one launch: for a training step
 * this removes the per-kernel launch cost of hundreds of small kernels. What is recorded is fixed
 * (addresses, shapes, scalar arguments such as the learning rate), so a step whose scalars change
 * must be re-captured, and the recorded work must not synchronize with the host or allocate
 * device memory: run it once eagerly first so cuDNN plans, workspaces and pooled buffers exist.
 */
public final class CudaGraph implements RecordedWork {
  private final MemorySegment stream;
  private final NativeHandle exec;

  private CudaGraph(MemorySegment stream, NativeHandle exec) {
    this.stream = stream;
    this.exec = exec;
  }

  /** Records what {@code work} queues on {@code stream} (thread-local capture mode). */
  static CudaGraph capture(MemorySegment stream, Runnable work) {
    check(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal()), "cudaStreamBeginCapture");
    RuntimeException failure = null;
    try {
      work.run();
    } catch (RuntimeException e) {
      failure = e;
    }
    // Capture must always be ended, or the stream stays unusable.
    NativeHandle graph;
    try {
      graph = NativeHandle.create("cudaStreamEndCapture", out -> cudaStreamEndCapture(stream, out), Cuda::check,
          "cudaGraphDestroy", g -> cudaGraphDestroy(g));
    } catch (CudaException e) {
      if (failure != null) {
        failure.addSuppressed(e);
        throw failure;
      }
      throw e;
    }
    try (graph) {
      if (failure != null) {
        throw failure;
      }
      NativeHandle exec = NativeHandle.create("cudaGraphInstantiate",
          out -> cudaGraphInstantiate(out, graph.get(), 0L), Cuda::check, "cudaGraphExecDestroy",
          e -> cudaGraphExecDestroy(e));
      return new CudaGraph(stream, exec);
    }
  }

  /** Queues the whole recorded sequence on the backend's stream. */
  @Override
  public void replay() {
    check(cudaGraphLaunch(exec.get(), stream), "cudaGraphLaunch");
  }

  @Override
  public void close() {
    exec.close();
  }
}
