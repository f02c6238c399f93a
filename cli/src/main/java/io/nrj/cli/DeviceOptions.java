package io.nrj.cli;

import io.nrj.dsl.ir.ScheduleIr.Precision;
import io.nrj.runtime.Backend;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --device} and {@code --precision} of the commands that run a network (eval, bench). */
final class DeviceOptions {
  @Spec(Spec.Target.MIXEE)
  private CommandSpec command;

  @Option(names = "--device", paramLabel = "auto|cpu|cuda", defaultValue = "auto", order = 20,
      description = "where to run; auto: CUDA when usable, else the CPU with a note (default: ${DEFAULT-VALUE})")
  private String device;

  @Option(names = "--precision", paramLabel = "fp32|tf32", order = 21,
      description = "GPU matrix precision (default: the schedule's, else fp32); the CPU always computes in fp32")
  private String precision;

  /** Opens the device; {@code scheduled} is the schedule's precision (null: none). */
  Backend open(Precision scheduled) {
    return CommandSupport.openDevice(command, device, precision, scheduled);
  }
}
