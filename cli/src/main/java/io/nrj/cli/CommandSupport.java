package io.nrj.cli;

import io.nrj.dsl.CompileResult;
import io.nrj.dsl.Diagnostic;
import io.nrj.dsl.NrCompiler;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrModule;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.ScheduleIr.Precision;
import io.nrj.dsl.ir.TrainIr;
import io.nrj.runtime.Backend;
import io.nrj.processor.inmemory.InMemoryCompiler;
import io.nrj.runtime.Devices;
import io.nrj.runtime.cuda.CudaException;
import io.nrj.runtime.cuda.CudaUnavailableException;
import io.nrj.runtime.cuda.MissingLibraryException;
import io.nrj.runtime.io.InputFileException;
import io.nrj.runtime.model.GraphNetwork;
import io.nrj.runtime.model.TrainableNetwork;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * What the training commands share: mapping failures to exit codes, compiling a spec and picking
 * its network and schedule, and opening a device.
 */
final class CommandSupport {
  private CommandSupport() {}

  /** A command body; usage errors and user errors escape as exceptions. */
  interface Body {
    int run() throws Exception;
  }

  /**
   * Runs {@code body}: usage errors print the message and the usage line (exit 2); user errors
   * (bad files, bad data, mismatched checkpoints, diverging training) print one line (exit 1).
   */
  static int guarded(String command, String usage, PrintStream err, Body body) {
    try {
      return body.run();
    } catch (Flags.UsageException e) {
      err.println("nrj " + command + ": " + e.getMessage());
      err.println("usage: nrj " + usage);
      return 2;
    } catch (UserException | InputFileException | IllegalArgumentException | IllegalStateException e) {
      err.println("nrj " + command + ": " + e.getMessage());
      return 1;
    } catch (NoSuchFileException e) {
      err.println("nrj " + command + ": " + e.getFile() + ": no such file");
      return 1;
    } catch (AccessDeniedException e) {
      err.println("nrj " + command + ": " + e.getFile() + ": permission denied");
      return 1;
    } catch (IOException | UncheckedIOException e) {
      err.println("nrj " + command + ": " + e.getMessage());
      return 1;
    } catch (Exception e) {
      err.println("nrj " + command + ": internal error: " + e);
      e.printStackTrace(err);
      return 1;
    }
  }

  /** A compiled spec with the chosen network and schedule (schedule null when none applies). */
  record Selection(NrModule module, NetworkIr network, ScheduleIr schedule) {}

  /** Compiles {@code file}; diagnostics make a user error listing all of them. */
  static NrModule compile(Path file) throws IOException {
    if (!Files.exists(file)) throw new UserException(file + ": no such file");
    return compiled(NrCompiler.compile(file));
  }

  static NrModule compile(String name, String source) {
    return compiled(NrCompiler.compile(name, source));
  }

  private static NrModule compiled(CompileResult r) {
    if (r.ok()) return r.module();
    throw new UserException(
        "the spec has errors:\n"
            + r.diagnostics().stream().map(Diagnostic::format).collect(Collectors.joining("\n")));
  }

  /**
   * Picks the network (by name; else the one a {@code train} binding names; else the only one) and
   * the schedule (by name; else the binding's; else the only one; else null).
   */
  static Selection select(NrModule m, String network, String schedule) {
    TrainIr binding = m.trains().isEmpty() ? null : m.trains().getFirst();
    if (network != null && binding != null && !binding.network().equals(network)) binding = null;
    String net =
        network != null ? network
            : binding != null ? binding.network()
            : m.networks().size() == 1 ? m.networks().getFirst().name()
            : null;
    if (net == null) {
      throw new UserException(
          m.file() + " defines " + m.networks().size() + " networks; choose one with --network ("
              + m.networks().stream().map(NetworkIr::name).collect(Collectors.joining(", ")) + ")");
    }
    NetworkIr ir =
        m.network(net).orElseThrow(() -> new UserException(
            m.file() + " has no network '" + net + "'; it defines "
                + m.networks().stream().map(NetworkIr::name).collect(Collectors.joining(", "))));
    String sch =
        schedule != null ? schedule
            : binding != null ? binding.schedule()
            : m.schedules().size() == 1 ? m.schedules().getFirst().name()
            : null;
    ScheduleIr s = null;
    if (sch != null) {
      s = m.schedule(sch).orElseThrow(() -> new UserException(m.file() + " has no schedule '" + sch + "'"));
    }
    return new Selection(m, ir, s);
  }

  /** The {@code --precision} option's value (null: {@code scheduled}, or FP32); others are a usage error. */
  static Precision precision(String option, Precision scheduled) throws Flags.UsageException {
    try {
      return Devices.precision(option, scheduled);
    } catch (IllegalArgumentException e) {
      throw new Flags.UsageException(e.getMessage());
    }
  }

  /**
   * Opens {@code --device} (auto, cpu or cuda) through {@link Devices}; auto falls back to the CPU
   * with a one-line note, cuda fails with a named error when it cannot start. {@code precision} is the
   * {@code --precision} option (fp32 or tf32; null: {@code scheduled}, the schedule's, or FP32).
   */
  static Backend openDevice(String device, String precision, Precision scheduled) throws Flags.UsageException {
    if (!device.equals("auto") && !device.equals("cpu") && !device.equals("cuda")) {
      throw new Flags.UsageException("--device must be auto, cpu or cuda, got '" + device + "'");
    }
    Precision p = precision(precision, scheduled);
    try {
      return Devices.open(device, p);
    } catch (CudaUnavailableException | CudaException | MissingLibraryException e) {
      throw new UserException("--device " + device + ": " + e.getMessage());
    }
  }

  /**
   * The network to train: by default the trainer the annotation processor would generate, compiled
   * in memory (DESIGN.md, the user's path step 4); {@code interpreted} walks the IR with {@link
   * GraphNetwork} instead. Both build the same layers, so their checkpoints are interchangeable.
   */
  static TrainableNetwork network(
      NrModule module, NetworkIr ir, String schedule, Backend backend, long seed, boolean interpreted) {
    if (interpreted) return new GraphNetwork(backend, ir, seed);
    Class<?> type =
        InMemoryCompiler.compileTrainer(module, ir.name(), schedule, CommandSupport.class.getClassLoader())
            .trainerClass();
    try {
      return (TrainableNetwork)
          type.getConstructor(Backend.class, NetworkIr.class, long.class).newInstance(backend, ir, seed);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException re) throw re;
      throw new IllegalStateException("generated trainer " + type.getName() + " failed to start", e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("generated trainer " + type.getName() + " has no (Backend, NetworkIr, long) constructor", e);
    }
  }
}
