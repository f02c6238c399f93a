package io.nrj.runtime.checkpoint;

import io.nrj.dsl.ir.Widths;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.HostTensor;
import io.nrj.runtime.io.Json;
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
      Safetensors.write(file, tensors, metadata());
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
    m.put("widths", Json.write(widths.toArray()));
    m.put("epoch", Integer.toString(epoch));
    m.put("seed", Long.toString(seed));
    LinkedHashMap<String, Object> opt = new LinkedHashMap<>();
    opt.put("type", "sgd");
    opt.put("lr", optimizer.lr());
    opt.put("momentum", optimizer.momentum());
    opt.put("weight_decay", optimizer.weightDecay());
    opt.put("step", optimizer.step());
    m.put("optimizer", Json.write(opt));
    m.put("nr_state", nrState);
    m.put("nr_source", nrSource);
    for (Map.Entry<String, String> e : extra.entrySet()) m.put(EXTRA_PREFIX + e.getKey(), e.getValue());
    return m;
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
   * Reads and validates a checkpoint.
   *
   * @throws CheckpointException naming the file and the problem: missing, truncated, corrupt
   *     header, not an nrj checkpoint, newer format, missing or malformed metadata, a momentum
   *     buffer without its parameter or of another shape
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
    Map<String, String> m = c.metadata();
    if (!FORMAT.equals(m.get("format"))) {
      throw new CheckpointException(file, "not an nrj checkpoint (metadata 'format' is not '" + FORMAT + "')");
    }
    int version = (int) integer(file, m, "format_version");
    if (version > FORMAT_VERSION || version < 1) {
      throw new CheckpointException(
          file, "checkpoint format version " + version + " is not supported (this nrj reads 1 to " + FORMAT_VERSION + ")");
    }
    HostParams model = new HostParams(), momentum = new HostParams();
    for (Map.Entry<String, Safetensors.Tensor> e : c.tensors().entrySet()) {
      String name = e.getKey();
      Safetensors.Tensor t = e.getValue();
      if (name.startsWith(MOMENTUM_PREFIX)) {
        momentum.put(name.substring(MOMENTUM_PREFIX.length()), t.toHost());
      } else {
        if (t.dtype() != DType.F32 && !(name.endsWith(NUM_BATCHES) && t.dtype() == DType.I64)) {
          throw new CheckpointException(file, "tensor '" + name + "' is " + t.dtype() + ", expected F32");
        }
        model.put(name, t.toHost());
      }
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
    for (Map.Entry<String, String> e : m.entrySet()) {
      if (e.getKey().startsWith(EXTRA_PREFIX)) extra.put(e.getKey().substring(EXTRA_PREFIX.length()), e.getValue());
    }
    return new Checkpoint(
        string(file, m, "nr_source"),
        string(file, m, "network"),
        string(file, m, "schedule"),
        widths(file, m),
        (int) integer(file, m, "epoch"),
        integer(file, m, "seed"),
        optimizer(file, m),
        json(file, m, "nr_state"),
        extra,
        model,
        momentum);
  }

  /**
   * Checks that this checkpoint fits a network the caller built: the same network name and widths,
   * and exactly the expected tensors with the expected shapes.
   *
   * @param file the checkpoint's path, for the message
   * @throws CheckpointException listing every mismatch (the first five, then a count)
   */
  public void checkMatches(Path file, String expectedNetwork, Widths expectedWidths, HostParams expected) {
    if (!network.equals(expectedNetwork)) {
      throw new CheckpointException(file, "checkpoint is for network '" + network + "', not '" + expectedNetwork + "'");
    }
    if (!widths.equals(expectedWidths)) {
      throw new CheckpointException(file, "checkpoint widths " + widths + " differ from the expected " + expectedWidths);
    }
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, HostTensor> e : expected.asMap().entrySet()) {
      String name = e.getKey();
      if (!model.contains(name)) {
        problems.add("tensor '" + name + "' is missing");
      } else if (!Arrays.equals(model.get(name).shape(), e.getValue().shape())) {
        problems.add(
            "tensor '" + name + "' has shape " + Arrays.toString(model.get(name).shape()) + ", expected "
                + Arrays.toString(e.getValue().shape()));
      }
    }
    for (String name : model.asMap().keySet()) {
      if (!expected.contains(name)) problems.add("tensor '" + name + "' is not in network '" + expectedNetwork + "'");
    }
    if (problems.isEmpty()) return;
    String shown = String.join("; ", problems.subList(0, Math.min(5, problems.size())));
    if (problems.size() > 5) shown += "; and " + (problems.size() - 5) + " more";
    throw new CheckpointException(file, "checkpoint does not match network '" + expectedNetwork + "': " + shown);
  }

  private static String string(Path file, Map<String, String> m, String key) {
    String v = m.get(key);
    if (v == null) throw new CheckpointException(file, "metadata '" + key + "' is missing");
    return v;
  }

  private static long integer(Path file, Map<String, String> m, String key) {
    String v = string(file, m, key);
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new CheckpointException(file, "metadata '" + key + "' is not an integer: '" + v + "'");
    }
  }

  private static Object parsed(Path file, Map<String, String> m, String key) {
    try {
      return Json.parse(string(file, m, key));
    } catch (Json.JsonException e) {
      throw new CheckpointException(file, "metadata '" + key + "' is not valid JSON: " + e.getMessage(), e);
    }
  }

  private static String json(Path file, Map<String, String> m, String key) {
    parsed(file, m, key);
    return m.get(key);
  }

  private static Widths widths(Path file, Map<String, String> m) {
    if (parsed(file, m, "widths") instanceof List<?> l && l.stream().allMatch(x -> x instanceof Long w && w >= 0)) {
      return new Widths(l.stream().mapToInt(x -> Math.toIntExact((Long) x)).toArray());
    }
    throw new CheckpointException(file, "metadata 'widths' is not a JSON array of non-negative integers");
  }

  private static OptimizerState optimizer(Path file, Map<String, String> m) {
    if (parsed(file, m, "optimizer") instanceof Map<?, ?> o
        && "sgd".equals(o.get("type"))
        && o.get("lr") instanceof Number lr
        && o.get("momentum") instanceof Number mom
        && o.get("weight_decay") instanceof Number wd
        && o.get("step") instanceof Long step) {
      return new OptimizerState(lr.doubleValue(), mom.doubleValue(), wd.doubleValue(), step);
    }
    throw new CheckpointException(
        file, "metadata 'optimizer' is not {\"type\":\"sgd\",\"lr\",\"momentum\",\"weight_decay\",\"step\"}");
  }
}
