package io.nrj.export;

import io.nrj.dsl.CompileResult;
import io.nrj.dsl.NrCompiler;
import io.nrj.dsl.NrPrinter;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrModule;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.Shape;
import io.nrj.runtime.checkpoint.Checkpoint;
import io.nrj.runtime.checkpoint.TrainCheckpoints;
import io.nrj.runtime.cpu.CpuBackend;
import io.nrj.runtime.model.GraphNetwork;
import io.nrj.runtime.train.EngineControl;
import io.nrj.runtime.train.InMemoryBatchSource;
import io.nrj.runtime.train.TrainingLoop;
import io.nrj.runtime.nr.NrEngine;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real checkpoints for the export tests: LeNet-5 (the shipped spec), a small ResNet and a small
 * DenseNet, each trained by the runtime's training loop and NR engine on a few hundred synthetic
 * images until rejuvenation fires and then for one mixed epoch, with cross connections removed and
 * with cross-attention. The checkpoints are written to files and read back as {@code nrj eval}
 * reads them. Trained once per test JVM.
 */
final class TrainedCheckpoints {
  /** Which checkpoint of a run. */
  enum Stage {
    /** The first (sparse) epoch's checkpoint of the cross-removed run. */
    BEFORE,
    /** The end of the run with cross connections removed. */
    REMOVED,
    /** The end of the run with cross-attention. */
    ATTENTION
  }

  /** The networks. */
  enum Net {
    LENET5,
    RESNET,
    DENSE
  }

  /** A checkpoint on disk and the network it holds. */
  record Trained(Net net, Stage stage, Path file, NetworkIr ir, TrainedNetwork network) {
    @Override
    public String toString() {
      return net + " " + stage;
    }
  }

  private static final Path DIR;
  private static final Map<String, List<Path>> RUNS = new ConcurrentHashMap<>();

  static {
    try {
      DIR = Files.createTempDirectory("nrj-export-test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private TrainedCheckpoints() {}

  static Path repoRoot() {
    return Path.of(System.getProperty("nrj.repo.root", ".."));
  }

  /** The spec of {@code net} with the export-test schedules. */
  static String source(Net net) throws IOException {
    String network =
        switch (net) {
          case LENET5 -> Files.readString(repoRoot().resolve("generated-examples/src/main/nr/lenet5.nr"));
          case RESNET -> resource("resnet_tiny.nr");
          case DENSE -> resource("dense_tiny.nr");
        };
    return network + "\n" + resource("schedules.nr");
  }

  private static String resource(String name) throws IOException {
    try (var in = TrainedCheckpoints.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  static NrModule module(Net net) throws IOException {
    CompileResult r = NrCompiler.compile(net.name().toLowerCase() + ".nr", source(net));
    if (!r.ok()) throw new IllegalStateException(r.diagnostics().toString());
    return r.module();
  }

  static NetworkIr ir(NrModule m) {
    return m.networks().getFirst();
  }

  /** The checkpoint of {@code net} at {@code stage}, training its run on first use. */
  static Trained get(Net net, Stage stage) throws IOException {
    String schedule = stage == Stage.ATTENTION ? "export_attention" : "export_removed";
    List<Path> files = RUNS.computeIfAbsent(net + schedule, k -> train(net, schedule));
    Path file = stage == Stage.BEFORE ? files.getFirst() : files.getLast();
    NrModule m = module(net);
    NetworkIr ir = ir(m);
    Checkpoint c = Checkpoint.read(file);
    TrainedNetwork t =
        new TrainedNetwork(
            file, ir, c.widths(), TrainCheckpoints.toTrainState(file, c).layout(), c.model(),
            ScheduleIr.Normalize.NONE, c.epoch());
    return new Trained(net, stage, file, ir, t);
  }

  /** Trains {@code net} with {@code schedule}; returns every epoch's checkpoint file in order. */
  private static List<Path> train(Net net, String schedule) {
    try {
      NrModule m = module(net);
      NetworkIr ir = ir(m);
      ScheduleIr s = m.schedule(schedule).orElseThrow();
      Path dir = Files.createDirectories(DIR.resolve(net + "-" + schedule));
      List<Path> files = new ArrayList<>();
      TrainCheckpoints.Run run = new TrainCheckpoints.Run(m.source(), ir.name(), s.name(), 7, s.sgd());
      TrainingLoop.Options o =
          new TrainingLoop.Options(
              s.batch(), s.testBatch(), 7, dir, false, w -> NrPrinter.print(ir, w, ir.name()),
              (state, f) -> {
                Path file = dir.resolve("epoch" + state.nextEpoch() + ".safetensors");
                TrainCheckpoints.toCheckpoint(run, state).write(file);
                files.add(file);
              });
      try (CpuBackend backend = new CpuBackend(2, true);
          GraphNetwork g = new GraphNetwork(backend, ir, 7)) {
        new TrainingLoop(
                g, new EngineControl(new NrEngine(ir, s)), s.sgd(), images(ir, 192, 1), images(ir, 50, 2), o,
                new PrintStream(OutputStream.nullOutputStream()))
            .run(null);
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * n images of the network's input shape: class k is a fixed random pattern of its own (one per
   * class) under Gaussian noise, so training makes progress and BN statistics are real.
   */
  static InMemoryBatchSource images(NetworkIr ir, int n, long seed) {
    Shape shape = ir.input();
    int size = Math.toIntExact(shape.size());
    Random patterns = new Random(99);
    float[][] template = new float[ir.classes()][size];
    for (float[] t : template) for (int i = 0; i < size; i++) t[i] = (float) patterns.nextGaussian();
    Random r = new Random(seed);
    float[] x = new float[n * size];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextInt(ir.classes());
      for (int j = 0; j < size; j++) x[i * size + j] = template[y[i]][j] + (float) (0.8 * r.nextGaussian());
    }
    return new InMemoryBatchSource(x, y, shape);
  }

  /** The first n images of {@link #images} as one array (n, C, H, W). */
  static float[] batch(NetworkIr ir, int n, long seed) {
    InMemoryBatchSource s = images(ir, n, seed);
    return s.batches(n, false, 0, 0).next().images();
  }
}
