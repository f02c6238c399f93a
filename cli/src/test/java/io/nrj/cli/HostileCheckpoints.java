package io.nrj.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nrj.runtime.io.JsonCodec;
import io.nrj.runtime.io.Safetensors;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The hostile-checkpoint corpus (issue 16): each case is a valid checkpoint written by a real
 * training run, damaged in one way, with the exact problem nrj must name. Cases that edit the
 * header keep the data bytes; cases that edit metadata or tensors rewrite a well-formed file so that
 * exactly one rule is broken. Nothing binary is committed: the corpus is generated from the run.
 */
final class HostileCheckpoints {
  private HostileCheckpoints() {}

  /** Which commands read the case: all three, or only those that rebuild the net from {@code nr_source}. */
  enum Readers {
    ALL,
    NR_SOURCE
  }

  /** One damaged checkpoint: {@code problem} is what follows "FILE: " in the message. */
  record Case(String name, Readers readers, boolean format, String problem, Writer writer) {
    @Override
    public String toString() {
      return name;
    }
  }

  @FunctionalInterface
  interface Writer {
    void write(Path base, Path out) throws IOException;
  }

  static final String CORRUPT = "corrupt or unreadable checkpoint: ";
  private static final String TILE =
      " (safetensors data_offsets must be contiguous and non-overlapping and cover the data section exactly)";

  /**
   * Every case, for a checkpoint of {@link HostileCheckpointTest#SPEC} after 2 epochs. Tensor
   * sizes: features.0.conv.weight (4, 1, 5, 5) is data bytes [0, 400], features.0.bn.weight [400, 416].
   */
  static List<Case> all() {
    return List.of(
        // -- the safetensors format (shared with nrj grad)
        format("overlapping data_offsets", "tensors 'features.0.conv.weight' [0, 400] and 'features.0.bn.weight' [396, 412] overlap" + TILE,
            header(h -> offsets(h, "features.0.bn.weight", 396, 412))),
        format("bytes left over after the last tensor", "data bytes [%END%, %END8%] belong to no tensor (after 'optimizer.momentum.classifier.bias' [%LAST%, %END%]; "
            + TILE.substring(2), (base, out) -> {
          byte[] b = Files.readAllBytes(base);
          Files.write(out, Arrays.copyOf(b, b.length + 8));
        }),
        format("a gap between two tensors", "data bytes [400, 404] belong to no tensor (between 'features.0.conv.weight' [0, 400] and"
            + " 'features.0.bn.weight' [404, 420]" + TILE.replace(" (", "; "), header(h -> offsets(h, "features.0.bn.weight", 404, 420))),
        format("a truncated file", "tensor 'optimizer.momentum.classifier.bias': data_offsets [%LAST%, %END%] lie outside the %END4% data bytes",
            (base, out) -> {
              byte[] b = Files.readAllBytes(base);
              Files.write(out, Arrays.copyOf(b, b.length - 4));
            }),
        format("a header longer than nrj's limit", "header length 104,857,600 is beyond nrj's limit of 100,000,000 bytes for a safetensors header",
            (base, out) -> {
              try (RandomAccessFile f = new RandomAccessFile(out.toFile(), "rw")) {
                f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(100L << 20).array());
                f.setLength((100L << 20) + 64); // sparse: the header is never read
              }
            }),
        format("a header length beyond the file", "header length 1000000 does not fit in the file of 64 bytes", (base, out) -> {
          Files.write(out, Arrays.copyOf(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1_000_000).array(), 64));
        }),
        format("a header that is not UTF-8", "header is not valid UTF-8", headerText(t -> t, bytes -> {
          bytes[indexOf(bytes, "features.0.bn.bias".getBytes(StandardCharsets.US_ASCII)) + 16] = (byte) 0xC3; // a lead byte before 's'
          return bytes;
        })),
        format("nesting deeper than the JSON limit", "header is not valid JSON: Document nesting depth (65) exceeds the maximum allowed (64)",
            headerText(t -> t.replace("\"dtype\":\"F32\"", "\"dtype\":" + "[".repeat(70) + "]".repeat(70)), b -> b)),
        format("a number longer than the JSON limit", "header is not valid JSON: Number value length (65) exceeds the maximum allowed (64)",
            headerText(t -> t.replaceFirst("\"shape\":\\[4,1,5,5\\]", "\"shape\":[" + "4".repeat(65) + ",1,5,5]"), b -> b)),
        format("two tensors of one name", "header is not valid JSON: Duplicate field 'features.0.bn.weight' at offset %DUP%",
            headerText(t -> t.replace("\"features.0.bn.bias\":", "\"features.0.bn.weight\":"), b -> b)),
        format("dtype and shape that do not match the bytes", "tensor 'features.0.bn.weight': data_offsets [400, 416] hold 16 bytes but F32 [5] needs 20",
            header(h -> ((ObjectNode) h.get("features.0.bn.weight")).set("shape", JsonCodec.array(5)))),
        format("a negative dimension", "tensor 'features.0.bn.weight': shape holds -4, not a non-negative integer",
            header(h -> ((ObjectNode) h.get("features.0.bn.weight")).set("shape", JsonCodec.array(-4)))),
        format("a shape whose element count overflows", "tensor 'features.0.bn.weight': shape [4611686018427387904, 4] has more elements than a 64-bit count holds",
            header(h -> ((ObjectNode) h.get("features.0.bn.weight")).set("shape", JsonCodec.array(1L << 62, 4L)))),
        format("an unknown dtype", "tensor 'features.0.bn.weight': unsupported dtype \"F8\"",
            header(h -> ((ObjectNode) h.get("features.0.bn.weight")).put("dtype", "F8"))),
        // -- the checkpoint's own rules
        checkpoint("NaN weights", "tensor 'features.0.conv.weight' holds NaN at element 3; checkpoint tensors must be finite",
            tensor("features.0.conv.weight", v -> v[3] = Float.NaN)),
        checkpoint("an infinite weight", "tensor 'classifier.weight' holds Infinity at element 0; checkpoint tensors must be finite",
            tensor("classifier.weight", v -> v[0] = Float.POSITIVE_INFINITY)),
        checkpoint("a negative running variance", "tensor 'features.1.bn.running_var' holds -1.0 at element 1; a variance cannot be negative",
            tensor("features.1.bn.running_var", v -> v[1] = -1f)),
        checkpoint("a weight stored as I32", "tensor 'features.0.bn.bias' is I32, expected F32", (base, out) -> {
          rewrite(base, out, (t, m) -> t.put("features.0.bn.bias", new Safetensors.Tensor(Safetensors.DType.I32, new long[] {4}, new byte[16])));
        }),
        checkpoint("a negative epoch", "metadata 'epoch' is -5; it counts the epochs completed and cannot be below 0", meta("epoch", "-5")),
        checkpoint("an epoch beyond the run", "metadata 'epoch' is 50 but the run has 2 epochs (NR state 'epochs')", meta("epoch", "50")),
        checkpoint("negative planned epochs", "metadata 'extra.epochs' is '-3'; it must be a positive integer", meta("extra.epochs", "-3")),
        checkpoint("planned epochs beyond the run", "metadata 'extra.epochs' is 9 but the run has 2 epochs (NR state 'epochs')", meta("extra.epochs", "9")),
        checkpoint("a widths table shorter than the network", "metadata 'widths' has 2 entries but network 'tiny3' has 3 convs", meta("widths", "[30,58]")),
        checkpoint("widths that are not integers", "metadata 'widths' is not a JSON array of non-negative integers: [4,6.5,8]", meta("widths", "[4,6.5,8]")),
        checkpoint("widths that differ from the NR state", "metadata 'widths' [4, 6, 9] differ from the NR state's [4, 6, 8]", meta("widths", "[4,6,9]")),
        checkpoint("an NR state with negative epochs", "metadata 'nr_state' does not fit network 'tiny3': NR state: 'epochs' is -3, outside 1 to 2147483647",
            nrState(s -> s.put("epochs", -3))),
        checkpoint("an NR state for other widths", "metadata 'nr_state' does not fit network 'tiny3': NR state: 2 widths for network 'tiny3' with 3 convs",
            nrState(s -> s.set("widths", JsonCodec.array(4, 6)))),
        checkpoint("an NR state that is not JSON", "metadata 'nr_state' is not valid JSON: Unexpected end-of-input: expected close marker for Object at offset 10",
            meta("nr_state", "{\"phase\":1")),
        checkpoint("a negative learning rate", "metadata 'optimizer' field 'lr' is -0.05; it must be a finite number >= 0",
            meta("optimizer", "{\"type\":\"sgd\",\"lr\":-0.05,\"momentum\":0.9,\"weight_decay\":5.0E-4,\"step\":12}")),
        checkpoint("a newer format", "checkpoint format version 2 is not supported (this nrj reads 1 to 1)", meta("format_version", "2")),
        checkpoint("not an nrj checkpoint", "not an nrj checkpoint (metadata 'format' is not 'nrj-checkpoint')", meta("format", "pytorch")),
        checkpoint("a missing seed", "metadata 'seed' is missing", meta("seed", null)),
        checkpoint("a momentum buffer without its parameter", "tensor 'optimizer.momentum.features.9.conv.weight' has no parameter 'features.9.conv.weight'",
            (base, out) -> rewrite(base, out, (t, m) -> t.put("optimizer.momentum.features.9.conv.weight", Safetensors.Tensor.f32(new int[] {1}, new float[1])))),
        checkpoint("a tensor of the wrong shape", "checkpoint does not match network 'tiny3': tensor 'classifier.bias' has shape [4], expected [3]",
            (base, out) -> rewrite(base, out, (t, m) -> {
              t.put("classifier.bias", Safetensors.Tensor.f32(new int[] {4}, new float[4]));
              t.remove("optimizer.momentum.classifier.bias");
            })),
        checkpoint("a missing tensor", "checkpoint does not match network 'tiny3': tensor 'features.3.bn.bias' is missing",
            (base, out) -> rewrite(base, out, (t, m) -> {
              t.remove("features.3.bn.bias");
              t.remove("optimizer.momentum.features.3.bn.bias");
            })),
        checkpoint("a layout before rejuvenation", "metadata 'extra.layout' differs from the NR state's layout",
            meta("extra.layout", "{\"convs\":[[1,4,false,false],[4,6,false,false],[6,8,false,false]],\"classifier_live_in\":8,\"cross\":\"REMOVED\"}")),
        new Case("an nr_source that does not compile", Readers.NR_SOURCE, false,
            "its nr_source does not compile: the spec has errors:\nhostile.nr:1:1: error: [NR-DSL-101] unexpected 'garbage'; expected <definition> or end of file",
            (base, out) -> rewrite(base, out, (t, m) -> {
              m.put("nr_source", "garbage");
              m.put("extra.nr_file", "hostile.nr");
            })),
        new Case("an nr_source without the network", Readers.NR_SOURCE, false, "its nr_source has no network 'tiny3'",
            (base, out) -> rewrite(base, out, (t, m) -> m.put("nr_source", m.get("nr_source").replace("tiny3", "other")))));
  }

  private static Case format(String name, String problem, Writer w) {
    return new Case(name, Readers.ALL, true, problem, w);
  }

  private static Case checkpoint(String name, String problem, Writer w) {
    return new Case(name, Readers.ALL, false, problem, w);
  }

  /** Finite weights whose logits overflow: every classifier weight 3e38. */
  static void overflowingClassifier(Path base, Path out) throws IOException {
    tensor("classifier.weight", v -> java.util.Arrays.fill(v, 3e38f)).write(base, out);
  }

  // ---- editing helpers

  /** The file's header as JSON, edited, written back in front of the unchanged data. */
  private static Writer header(java.util.function.Consumer<ObjectNode> edit) {
    return (base, out) -> {
      Raw r = Raw.of(base);
      ObjectNode h = (ObjectNode) JsonCodec.parse(r.header());
      edit.accept(h);
      Files.write(out, r.with(JsonCodec.write(h).getBytes(StandardCharsets.UTF_8)));
    };
  }

  /** The header's text edited as text (for JSON no tree can hold), then its bytes edited. */
  private static Writer headerText(UnaryOperator<String> text, UnaryOperator<byte[]> bytes) {
    return (base, out) -> {
      Raw r = Raw.of(base);
      Files.write(out, r.with(bytes.apply(text.apply(r.header()).getBytes(StandardCharsets.UTF_8))));
    };
  }

  private static void offsets(ObjectNode h, String tensor, long begin, long end) {
    ((ObjectNode) h.get(tensor)).set("data_offsets", JsonCodec.array(begin, end));
  }

  /** A well-formed file with one metadata value changed (null removes it). */
  private static Writer meta(String key, String value) {
    return (base, out) -> rewrite(base, out, (t, m) -> {
      if (value == null) m.remove(key);
      else m.put(key, value);
    });
  }

  private static Writer nrState(java.util.function.Consumer<ObjectNode> edit) {
    return (base, out) -> rewrite(base, out, (t, m) -> {
      ObjectNode s = (ObjectNode) JsonCodec.parse(m.get("nr_state"));
      edit.accept(s);
      m.put("nr_state", JsonCodec.write(s));
    });
  }

  private static Writer tensor(String name, java.util.function.Consumer<float[]> edit) {
    return (base, out) -> rewrite(base, out, (t, m) -> {
      Safetensors.Tensor old = t.get(name);
      float[] v = old.toFloats();
      edit.accept(v);
      t.put(name, Safetensors.Tensor.f32(old.intShape(), v));
    });
  }

  @FunctionalInterface
  private interface Edit {
    void apply(LinkedHashMap<String, Safetensors.Tensor> tensors, LinkedHashMap<String, String> metadata);
  }

  private static void rewrite(Path base, Path out, Edit edit) {
    Safetensors.Contents c = Safetensors.read(base);
    LinkedHashMap<String, Safetensors.Tensor> t = new LinkedHashMap<>(c.tensors());
    LinkedHashMap<String, String> m = new LinkedHashMap<>(c.metadata());
    edit.apply(t, m);
    Safetensors.write(out, t, m);
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      return i;
    }
    throw new AssertionError("not found");
  }

  /** A safetensors file split into its header text and its data bytes. */
  record Raw(String header, byte[] data) {
    static Raw of(Path f) throws IOException {
      byte[] b = Files.readAllBytes(f);
      int len = (int) ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      return new Raw(new String(b, 8, len, StandardCharsets.UTF_8).stripTrailing(), Arrays.copyOfRange(b, 8 + len, b.length));
    }

    byte[] with(byte[] header) {
      ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
      return b.putLong(header.length).put(header).put(data).array();
    }

    /** Placeholders in expected problems: offsets and sizes that depend on the base file. */
    String expand(String problem, String hostileHeader) {
      JsonNode h = JsonCodec.parse(header);
      long last = h.get("optimizer.momentum.classifier.bias").get("data_offsets").get(0).longValue();
      return problem
          .replace("%END8%", Long.toString(data.length + 8L))
          .replace("%END4%", Long.toString(data.length - 4L))
          .replace("%END%", Long.toString(data.length))
          .replace("%LAST%", Long.toString(last))
          .replace("%DUP%", Integer.toString(hostileHeader == null ? -1 : secondIndex(hostileHeader, "\"features.0.bn.weight\":") + 22));
    }

    private static int secondIndex(String s, String what) {
      return s.indexOf(what, s.indexOf(what) + 1);
    }
  }
}
