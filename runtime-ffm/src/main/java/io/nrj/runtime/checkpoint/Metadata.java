package io.nrj.runtime.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.nrj.dsl.ir.Widths;
import io.nrj.runtime.io.JsonCodec;
import java.nio.file.Path;
import java.util.Map;

/**
 * Typed, range-checked reads of a checkpoint's string metadata. Every value comes from a file that
 * may have been edited by hand, so each read names the key and the rule it breaks: "metadata
 * 'epoch' is -5; it counts completed epochs and cannot be negative".
 */
final class Metadata {
  private final Path file;
  private final Map<String, String> values;

  Metadata(Path file, Map<String, String> values) {
    this.file = file;
    this.values = values;
  }

  /** The value of {@code key}; missing is an error. */
  String string(String key) {
    String v = values.get(key);
    if (v == null) throw new CheckpointException(file, "metadata '" + key + "' is missing");
    return v;
  }

  /** A whole number in {@code [min, max]}. */
  long integer(String key, long min, long max, String meaning) {
    String v = string(key);
    long n;
    try {
      n = Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new CheckpointException(file, "metadata '" + key + "' is not an integer: '" + v + "'");
    }
    if (n < min || n > max) {
      throw new CheckpointException(
          file, "metadata '" + key + "' is " + n + "; " + meaning + (n < min ? " and cannot be below " + min : " and cannot exceed " + max));
    }
    return n;
  }

  /** The value as JSON (within {@link JsonCodec}'s limits). */
  JsonNode json(String key) {
    String v = string(key);
    try {
      return JsonCodec.parse(v);
    } catch (JsonCodec.MalformedJsonException e) {
      throw new CheckpointException(file, "metadata '" + key + "' is not valid JSON: " + e.getMessage(), e);
    }
  }

  /** The widths table: a JSON array of non-negative integers (0 is a deleted, fully dead layer). */
  Widths widths() {
    JsonNode n = json("widths");
    if (n.isArray()) {
      int[] w = new int[n.size()];
      boolean ok = true;
      for (int i = 0; i < w.length && ok; i++) {
        JsonNode x = n.get(i);
        ok = x.isIntegralNumber() && x.canConvertToInt() && x.intValue() >= 0;
        if (ok) w[i] = x.intValue();
      }
      if (ok) return new Widths(w);
    }
    throw new CheckpointException(file, "metadata 'widths' is not a JSON array of non-negative integers: " + values.get("widths"));
  }

  /** SGD's settings: finite, non-negative numbers and a non-negative step count. */
  Checkpoint.OptimizerState optimizer() {
    JsonNode o = json("optimizer");
    if (o.isObject()
        && "sgd".equals(o.path("type").textValue())
        && o.path("lr").isNumber()
        && o.path("momentum").isNumber()
        && o.path("weight_decay").isNumber()
        && o.path("step").isIntegralNumber()
        && o.path("step").canConvertToLong()) {
      for (String key : new String[] {"lr", "momentum", "weight_decay", "step"}) {
        double v = o.get(key).doubleValue();
        if (!Double.isFinite(v) || v < 0) {
          throw new CheckpointException(
              file, "metadata 'optimizer' field '" + key + "' is " + o.get(key) + "; it must be a finite number >= 0");
        }
      }
      return new Checkpoint.OptimizerState(
          o.get("lr").doubleValue(), o.get("momentum").doubleValue(), o.get("weight_decay").doubleValue(),
          o.get("step").longValue());
    }
    throw new CheckpointException(
        file, "metadata 'optimizer' is not {\"type\":\"sgd\",\"lr\",\"momentum\",\"weight_decay\",\"step\"}");
  }

  /** The NR state: a JSON object (its fields are checked against the network when it is restored). */
  String nrState() {
    if (!json("nr_state").isObject()) throw new CheckpointException(file, "metadata 'nr_state' is not a JSON object");
    return values.get("nr_state");
  }
}
