package io.nrj.runtime.train;

import io.nrj.runtime.Backend;
import io.nrj.runtime.RecordedWork;
import io.nrj.runtime.cpu.CpuBackend;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The CPU backend with CUDA-graph recording semantics, to test what drives recording (the step
 * runner, host-side counters, re-recording after rejuvenation) where no GPU is: while recording,
 * every operation is queued with its arguments instead of run, and replay runs the queue again.
 * As in CUDA stream capture, anything that needs the host (download, synchronize, the host-label
 * loss) or allocates fails while recording. The GPU tests check the real CUDA graphs.
 */
final class RecordingCpuBackend {
  private static final Set<String> FORBIDDEN =
      Set.of("allocate", "download", "upload", "synchronize", "record", "close", "replan");

  int recordings;
  int replays;
  private final CpuBackend cpu;
  private List<Runnable> recording;
  final Backend backend;

  RecordingCpuBackend(CpuBackend cpu) {
    this.cpu = cpu;
    this.backend = (Backend) Proxy.newProxyInstance(
        Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (proxy, m, args) -> handle(m, args));
  }

  private Object handle(Method m, Object[] args) throws Throwable {
    if (m.getName().equals("record") && recording == null) return record((Runnable) args[0]);
    if (recording == null || m.getName().equals("name")) return call(m, args);
    boolean hostLoss = m.getName().equals("softmaxCrossEntropy") && args[1] instanceof int[];
    if (FORBIDDEN.contains(m.getName()) || hostLoss || m.getReturnType() != void.class) {
      throw new IllegalStateException(m.getName() + " while recording: a CUDA graph cannot contain it");
    }
    recording.add(() -> call(m, args));
    return null;
  }

  private Object call(Method m, Object[] args) {
    try {
      return m.invoke(cpu, args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw new IllegalStateException(e.getCause());
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  private RecordedWork record(Runnable work) {
    List<Runnable> ops = new ArrayList<>();
    recording = ops;
    try {
      work.run();
    } finally {
      recording = null;
    }
    recordings++;
    return new RecordedWork() {
      @Override
      public void replay() {
        replays++;
        for (Runnable op : ops) op.run();
      }

      @Override
      public void close() {}
    };
  }
}
