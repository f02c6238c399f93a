package io.nrj.runtime;

import io.nrj.dsl.ir.ScheduleIr.Precision;
import io.nrj.runtime.cpu.CpuBackend;
import io.nrj.runtime.cuda.CudaBackend;
import io.nrj.runtime.cuda.CudaException;
import io.nrj.runtime.cuda.CudaProbe;
import io.nrj.runtime.cuda.CudaUnavailableException;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Opens the {@link Backend} named by {@code --device} (DESIGN.md, "GPU libraries"): {@code cpu},
 * {@code cuda}, or {@code auto}, which uses CUDA when its libraries load and a device is present
 * and otherwise the CPU, with a one-line note on stderr saying why.
 */
public final class Devices {
  private Devices() {}

  /** {@link #open(String, Precision)} in FP32. */
  public static Backend open(String device) {
    return open(device, Precision.FP32);
  }

  /**
   * Opens {@code device} ("auto", "cpu" or "cuda"). The precision only matters on the GPU: TF32
   * lets cuDNN and cuBLAS use tensor cores.
   *
   * @throws CudaUnavailableException for "cuda" when a library is missing or no device is usable
   * @throws IllegalArgumentException for an unknown device name
   */
  public static Backend open(String device, Precision precision) {
    return open(device, precision, System.err, CpuBackend::new,
        () -> CudaBackend.open(precision == Precision.TF32));
  }

  /**
   * The precision a {@code --precision} option asks for ("fp32" or "tf32"), or {@code scheduled}
   * (the schedule's {@code precision}) when the option is absent ({@code null}).
   *
   * @throws IllegalArgumentException for any other value
   */
  public static Precision precision(String option, Precision scheduled) {
    if (option == null) return scheduled == null ? Precision.FP32 : scheduled;
    return switch (option) {
      case "fp32" -> Precision.FP32;
      case "tf32" -> Precision.TF32;
      default -> throw new IllegalArgumentException("--precision must be fp32 or tf32, got '" + option + "'");
    };
  }

  static Backend open(String device, Precision precision, PrintStream notes, Supplier<Backend> cpuBackend,
      Supplier<Backend> cuda) {
    Supplier<Backend> cpu = () -> {
      warnWithoutVectorModule(notes);
      return cpuBackend.get();
    };
    return switch (device) {
      case "cpu" -> cpu.get();
      case "cuda" -> cuda.get();
      case "auto" -> auto(notes, cpu, cuda);
      default -> throw new IllegalArgumentException(
          "unknown device '" + device + "'; expected auto, cpu or cuda");
    };
  }

  /** The flag that gives the CPU backend its Vector API kernels; named in the warning. */
  public static final String VECTOR_FLAG = "--add-modules jdk.incubator.vector";

  private static final AtomicBoolean vectorWarned = new AtomicBoolean();

  /**
   * Warns once per process when the Vector API module is not loaded: the CPU backend then runs its
   * scalar kernels, several times slower, which nothing else would tell (a plain {@code java -cp}
   * start of a generated trainer, say).
   */
  static void warnWithoutVectorModule(PrintStream notes) {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty() && vectorWarned.compareAndSet(false, true)) {
      notes.println(
          "nrj: the Vector API module is not loaded, so the CPU runs its scalar kernels (about 5x slower): add "
              + VECTOR_FLAG + " to the java command (./nrj and scripts/nrj-trainer do)");
    }
  }

  private static Backend auto(PrintStream notes, Supplier<Backend> cpu, Supplier<Backend> cuda) {
    CudaProbe.Result probe = CudaProbe.probe();
    if (!probe.usable()) {
      notes.println("nrj: CUDA unavailable (" + probe.summary() + "); using the CPU. --device cuda says why in full");
      return cpu.get();
    }
    try {
      return cuda.get();
    } catch (CudaException | CudaUnavailableException e) {
      // One line, as DESIGN.md promises: an NVRTC failure's message carries the compiler log and
      // cuDNN's error text can span lines; --device cuda shows the whole message.
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
      notes.println("nrj: CUDA failed to start (" + why + "); using the CPU. --device cuda says why in full");
      return cpu.get();
    }
  }
}
