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
import io.nrj.runtime.launch.CommandLines;
import io.nrj.runtime.model.GraphNetwork;
import io.nrj.runtime.model.TrainableNetwork;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * What the training commands share: compiling a spec and picking its network and schedule, checking
 * option values, and opening a device. (Exit codes: {@link CommandLines}.)
 */
final class CommandSupport {
  private CommandSupport() {}

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

  /** A usage error (exit 2) of the command {@code spec} describes. */
  static ParameterException usage(CommandSpec spec, String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** {@code value} when it is positive; else a usage error naming {@code option}. */
  static int positive(CommandSpec spec, String option, int value) {
    if (value <= 0) throw usage(spec, option + " must be a positive integer, got '" + value + "'");
    return value;
  }

  /**
   * Opens {@code --device} (auto, cpu or cuda) through {@link Devices}; auto falls back to the CPU
   * with a one-line note, cuda fails with a named error when it cannot start. {@code precision} is the
   * {@code --precision} option (fp32 or tf32; null: {@code scheduled}, the schedule's, or FP32). A
   * device or precision of another name is a usage error of {@code spec}'s command.
   */
  static Backend openDevice(CommandSpec spec, String device, String precision, Precision scheduled) {
    if (!device.equals("auto") && !device.equals("cpu") && !device.equals("cuda")) {
      throw usage(spec, "--device must be auto, cpu or cuda, got '" + device + "'");
    }
    Precision p;
    try {
      p = Devices.precision(precision, scheduled);
    } catch (IllegalArgumentException e) {
      throw usage(spec, e.getMessage());
    }
    try {
      return Devices.open(device, p);
    } catch (CudaUnavailableException | CudaException | MissingLibraryException e) {
      throw new UserException("--device " + device + ": " + CommandLines.userMessage(e, x -> false));
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
