package io.nrj.runtime.checkpoint;

import io.nrj.dsl.ir.Widths;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.HostTensor;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nrj.runtime.io.JsonCodec;
import io.nrj.runtime.io.Safetensors;
import io.nrj.runtime.io.Safetensors.DType;
import io.nrj.runtime.io.SafetensorsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * A training checkpoint, stored as one safetensors file that PyTorch's {@code safetensors} can load.
 *
 * <p>Tensors: the model's parameters and buffers under their {@link HostParams} names (conv weights
 * OIHW, float32; {@code *.num_batches_tracked} as int64 scalars), then SGD momentum buffers under
 * {@code optimizer.momentum.<parameter name>}. Metadata (all strings, as safetensors requires):
 *
 * <ul>
 *   <li>{@code format} = {@code nrj-checkpoint}, {@code format_version} = {@value #FORMAT_VERSION};
 *   <li>{@code nr_source}: the {@code .nr} text of the current architecture; {@code network},
 *       {@code schedule}: their names; {@code widths}: JSON array, the widths table;
 *   <li>{@code epoch}: epochs completed; {@code seed}: the run's seed;
 *   <li>{@code optimizer}: JSON {@code {"type":"sgd","lr","momentum","weight_decay","step"}};
 *   <li>{@code nr_state}: the NR engine's state, JSON, opaque here;
 *   <li>{@code extra.<key>}: anything else a caller needs to resume.
 * </ul>
 *
 * Writes are atomic: a failed write leaves an existing checkpoint as it was.
 *
 * @param epoch epochs completed (training resumes at this 0-based epoch)
 * @param nrState JSON text, "{}" when there is no NR state
 * @param momentum momentum buffers named like their parameters (may be empty)
 */
public record Checkpoint(
    String nrSource,
    String network,
    String schedule,
    Widths widths,
    int epoch,
    long seed,
    OptimizerState optimizer,
    String nrState,
    SequencedMap<String, String> extra,
    HostParams model,
    HostParams momentum) {
  /** The layout version written; readers accept it and older ones. */
  public static final int FORMAT_VERSION = 1;

  static final String FORMAT = "nrj-checkpoint";
  static final String MOMENTUM_PREFIX = "optimizer.momentum.";
  static final String EXTRA_PREFIX = "extra.";
  private static final String NUM_BATCHES = ".num_batches_tracked";

  /** SGD's state besides the momentum buffers. {@code step} counts optimiser steps taken. */
  public record OptimizerState(double lr, double momentum, double weightDecay, long step) {}

  public Checkpoint {
    extra = java.util.Collections.unmodifiableSequencedMap(new LinkedHashMap<>(extra));
    if (nrState == null || nrState.isBlank()) nrState = "{}";
  }

  /** Writes this checkpoint to {@code file} atomically. */
  public void write(Path file) {
    LinkedHashMap<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, HostTensor> e : model.asMap().entrySet()) {
      String name = e.getKey();
      if (name.startsWith(MOMENTUM_PREFIX)) {
        throw new CheckpointException(file, "model tensor '" + name + "' uses the reserved prefix " + MOMENTUM_PREFIX);
      }
      tensors.put(name, toFile(name, e.getValue()));
    }
    for (Map.Entry<String, HostTensor> e : momentum.asMap().entrySet()) {
      tensors.put(MOMENTUM_PREFIX + e.getKey(), Safetensors.Tensor.of(e.getValue()));
    }
    try {
      Safetensors.write(file, tensors, metadata(), Checkpoint::testDelay);
    } catch (SafetensorsException ex) {
      throw new CheckpointException(file, ex.problem(), ex);
    }
  }

  private SequencedMap<String, String> metadata() {
    LinkedHashMap<String, String> m = new LinkedHashMap<>();
    m.put("format", FORMAT);
    m.put("format_version", Integer.toString(FORMAT_VERSION));
    m.put("network", network);
    m.put("schedule", schedule);
    m.put("widths", JsonCodec.write(JsonCodec.array(widths.toArray())));
    m.put("epoch", Integer.toString(epoch));
    m.put("seed", Long.toString(seed));
    ObjectNode opt = JsonCodec.object();
    opt.put("type", "sgd");
    opt.put("lr", optimizer.lr());
    opt.put("momentum", optimizer.momentum());
    opt.put("weight_decay", optimizer.weightDecay());
    opt.put("step", optimizer.step());
    m.put("optimizer", JsonCodec.write(opt));
    m.put("nr_state", nrState);
    m.put("nr_source", nrSource);
    for (Map.Entry<String, String> e : extra.entrySet()) m.put(EXTRA_PREFIX + e.getKey(), e.getValue());
    return m;
  }

  /**
   * Test hook for the kill test (CheckpointKillTest): with {@code -Dnrj.test.checkpointWriteDelayMillis=N}
   * every checkpoint write pauses N ms between its header and its data, so that a test can kill
   * the process while the temporary file is half written. Read only here; unset, it costs nothing.
   */
  static final String WRITE_DELAY_PROPERTY = "nrj.test.checkpointWriteDelayMillis";

  private static void testDelay() {
    long millis = Long.getLong(WRITE_DELAY_PROPERTY, 0);
    if (millis <= 0) return;
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // num_batches_tracked is a float on the host (HostParams holds floats) and int64 in the file, as
  // in PyTorch's state_dict.
  private static Safetensors.Tensor toFile(String name, HostTensor t) {
    if (!name.endsWith(NUM_BATCHES)) return Safetensors.Tensor.of(t);
    long[] v = new long[t.numel()];
    for (int i = 0; i < v.length; i++) v[i] = (long) t.data()[i];
    return Safetensors.Tensor.i64(Arrays.stream(t.shape()).asLongStream().toArray(), v);
  }

  /**
   * Reads and validates a checkpoint: the safetensors format ({@link Safetensors#read}), then every
   * metadata field (present, of its type and in its range), every tensor (float32, or int64 for
   * {@code num_batches_tracked}; finite), and every momentum buffer (its parameter exists, same
   * shape). What depends on the network (the widths table's length, the NR state, the tensors'
   * shapes) is checked by {@link CheckpointFit}.
   *
   * @throws CheckpointException naming the file, the field or tensor, and the rule broken
   */
  public static Checkpoint read(Path file) {
    // a missing file is not a corrupt one: say so plainly
    if (!java.nio.file.Files.exists(file)) throw new CheckpointException(file, "no such file");
    Safetensors.Contents c;
    try {
      c = Safetensors.read(file);
    } catch (SafetensorsException e) {
      throw new CheckpointException(file, "corrupt or unreadable checkpoint: " + e.problem(), e);
    }
    Metadata m = new Metadata(file, c.metadata());
    if (!FORMAT.equals(c.metadata().get("format"))) {
      throw new CheckpointException(file, "not an nrj checkpoint (metadata 'format' is not '" + FORMAT + "')");
    }
    long version = m.integer("format_version", Long.MIN_VALUE, Long.MAX_VALUE, "");
    if (version > FORMAT_VERSION || version < 1) {
      throw new CheckpointException(
          file, "checkpoint format version " + version + " is not supported (this nrj reads 1 to " + FORMAT_VERSION + ")");
    }
    HostParams model = new HostParams(), momentum = new HostParams();
    for (Map.Entry<String, Safetensors.Tensor> e : c.tensors().entrySet()) {
      String name = e.getKey();
      Safetensors.Tensor t = e.getValue();
      boolean counter = name.endsWith(NUM_BATCHES) && t.dtype() == DType.I64;
      if (t.dtype() != DType.F32 && !counter) {
        throw new CheckpointException(file, "tensor '" + name + "' is " + t.dtype() + ", expected F32");
      }
      HostTensor h = t.toHost();
      if (!counter) checkValues(file, name, h);
      if (name.startsWith(MOMENTUM_PREFIX)) momentum.put(name.substring(MOMENTUM_PREFIX.length()), h);
      else model.put(name, h);
    }
    for (Map.Entry<String, HostTensor> e : momentum.asMap().entrySet()) {
      String p = e.getKey();
      if (!model.contains(p)) {
        throw new CheckpointException(file, "tensor '" + MOMENTUM_PREFIX + p + "' has no parameter '" + p + "'");
      }
      if (!Arrays.equals(model.get(p).shape(), e.getValue().shape())) {
        throw new CheckpointException(
            file,
            "tensor '" + MOMENTUM_PREFIX + p + "' has shape " + Arrays.toString(e.getValue().shape())
                + " but its parameter has " + Arrays.toString(model.get(p).shape()));
      }
    }
    LinkedHashMap<String, String> extra = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : c.metadata().entrySet()) {
      if (e.getKey().startsWith(EXTRA_PREFIX)) extra.put(e.getKey().substring(EXTRA_PREFIX.length()), e.getValue());
    }
    return new Checkpoint(
        m.string("nr_source"),
        m.string("network"),
        m.string("schedule"),
        m.widths(),
        (int) m.integer("epoch", 0, Integer.MAX_VALUE, "it counts the epochs completed"),
        m.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE, ""),
        m.optimizer(),
        m.nrState(),
        extra,
        model,
        momentum);
  }

  // nrj never writes a non-finite value (training stops as soon as the loss is not finite) nor a
  // negative variance. Such a tensor was edited or damaged, and would make every output (loss,
  // accuracy) meaningless: eval-mode BN divides by sqrt(running_var + eps).
  private static void checkValues(Path file, String name, HostTensor t) {
    float[] d = t.data();
    boolean variance = name.endsWith(".running_var") && !name.startsWith(MOMENTUM_PREFIX);
    for (int i = 0; i < d.length; i++) {
      if (!Float.isFinite(d[i])) {
        throw new CheckpointException(
            file, "tensor '" + name + "' holds " + d[i] + " at element " + i + "; checkpoint tensors must be finite");
      }
      if (variance && d[i] < 0) {
        throw new CheckpointException(
            file, "tensor '" + name + "' holds " + d[i] + " at element " + i + "; a variance cannot be negative");
      }
    }
  }

  /**
   * Checks that this checkpoint fits a network: the same network name and widths, and exactly the
   * expected tensors with the expected shapes ({@code num_batches_tracked} counters may be absent).
   *
   * @param file the checkpoint's path, for the message
   * @param expected every parameter and BN statistic the network holds at these widths, by name
   * @throws CheckpointException listing every mismatch (the first five, then a count)
   */
  public void checkMatches(Path file, String expectedNetwork, Widths expectedWidths, Map<String, int[]> expected) {
    if (!network.equals(expectedNetwork)) {
      throw new CheckpointException(file, "checkpoint is for network '" + network + "', not '" + expectedNetwork + "'");
    }
    if (!widths.equals(expectedWidths)) {
      throw new CheckpointException(file, "checkpoint widths " + widths + " differ from the expected " + expectedWidths);
    }
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, int[]> e : expected.entrySet()) {
      String name = e.getKey();
      if (!model.contains(name)) {
        problems.add("tensor '" + name + "' is missing");
      } else if (!Arrays.equals(model.get(name).shape(), e.getValue())) {
        problems.add(
            "tensor '" + name + "' has shape " + Arrays.toString(model.get(name).shape()) + ", expected "
                + Arrays.toString(e.getValue()));
      }
    }
    for (String name : model.asMap().keySet()) {
      boolean counter =
          name.endsWith(NUM_BATCHES)
              && expected.containsKey(name.substring(0, name.length() - NUM_BATCHES.length()) + ".weight")
              && model.get(name).numel() == 1;
      if (!expected.containsKey(name) && !counter) {
        problems.add("tensor '" + name + "' is not in network '" + expectedNetwork + "'");
      }
    }
    if (problems.isEmpty()) return;
    String shown = String.join("; ", problems.subList(0, Math.min(5, problems.size())));
    if (problems.size() > 5) shown += "; and " + (problems.size() - 5) + " more";
    throw new CheckpointException(file, "checkpoint does not match network '" + expectedNetwork + "': " + shown);
  }
}
