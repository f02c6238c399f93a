package io.nrj.runtime.launch;

import io.nrj.runtime.Devices;
import io.nrj.runtime.train.TrainJob;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options of a training run, defined once: {@code nrj train} and every generated trainer's
 * {@code main} mix this class in (picocli {@code @Mixin}), so both accept, document and check
 * exactly the same options. Values are checked here, before any work, so a bad value is a usage
 * error (exit 2) however the run was started.
 */
public final class TrainOptions {
  @Spec(Spec.Target.MIXEE)
  private CommandSpec command;

  @Option(names = "--data", required = true, paramLabel = "PATH|mnist", order = 10,
      description = "training and test data: 'mnist' (built in), an MNIST IDX or CIFAR binary directory or file"
          + " (plain or .gz), or an image-folder root with train/ and val/")
  private String data;

  @Option(names = "--device", paramLabel = "auto|cpu|cuda", defaultValue = "auto", order = 11,
      completionCandidates = DeviceNames.class,
      description = "where to train; auto: CUDA when usable, else the CPU with a note (default: ${DEFAULT-VALUE})")
  private String device;

  @Option(names = "--precision", paramLabel = "fp32|tf32", order = 12, completionCandidates = PrecisionNames.class,
      description = "GPU matrix precision (default: the schedule's, else fp32); the CPU always computes in fp32")
  private String precision;

  @Option(names = "--epochs", paramLabel = "E", order = 13,
      description = "fresh run: the planned epochs (default: the schedule's); each sparse epoch adds one"
          + " (the counter shows '+N sparse'). With --resume: the epoch the run ends at, as the counter"
          + " numbers it")
  private Integer epochs;

  @Option(names = "--batch", paramLabel = "B", order = 14, description = "training batch size (default: the schedule's)")
  private Integer batch;

  @Option(names = "--seed", paramLabel = "S", order = 15,
      description = "seed of initialisation, shuffling and augmentation (default: 1; on resume the checkpoint's)")
  private Long seed;

  @Option(names = "--out", paramLabel = "DIR", order = 16,
      description = "output folder for metrics, plots, checkpoint and reports (default: runs/NETWORK)")
  private Path out;

  @Option(names = "--resume", paramLabel = "CKPT", order = 17,
      description = "continue from a checkpoint (bit-identical to an uninterrupted run on the CPU)")
  private Path resume;

  @Option(names = "--cuda-graphs", order = 18,
      description = "record each training step once and replay it as a CUDA graph (GPU only)")
  private boolean cudaGraphs;

  @Option(names = "--progress-every", paramLabel = "SECONDS", defaultValue = "30", order = 19,
      description = "when stdout is not a terminal: one progress line every SECONDS seconds within an epoch,"
          + " 0 for none (default: ${DEFAULT-VALUE}); a terminal gets a live line instead")
  private double progressEvery;

  /** The checked options as the runtime's job options. */
  public TrainJob.Options toJob() {
    if (!List.of("auto", "cpu", "cuda").contains(device)) {
      throw usage("--device must be auto, cpu or cuda, got '" + device + "'");
    }
    try {
      Devices.precision(precision, null);
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    if (epochs != null && epochs <= 0) throw usage("--epochs must be a positive integer, got '" + epochs + "'");
    if (batch != null && batch <= 0) throw usage("--batch must be a positive integer, got '" + batch + "'");
    if (!(progressEvery >= 0)) throw usage("--progress-every must be 0 or more seconds, got '" + progressEvery + "'");
    return new TrainJob.Options(
        data, device, precision, cudaGraphs, epochs == null ? 0 : epochs, batch == null ? 0 : batch, seed, out,
        resume, progressEvery);
  }

  /** The device option (checked by {@link #toJob}). */
  public String device() {
    return device;
  }

  private ParameterException usage(String message) {
    return new ParameterException(command.commandLine(), message);
  }

  /** Completion candidates of {@code --device}. */
  static final class DeviceNames extends java.util.ArrayList<String> {
    DeviceNames() {
      super(List.of("auto", "cpu", "cuda"));
    }
  }

  /** Completion candidates of {@code --precision}. */
  static final class PrecisionNames extends java.util.ArrayList<String> {
    PrecisionNames() {
      super(List.of("fp32", "tf32"));
    }
  }
}
