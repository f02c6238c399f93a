package io.nrj.runtime.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nrj.runtime.HostTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SequencedMap;

/**
 * Reads and writes safetensors files (https://github.com/huggingface/safetensors): an 8-byte
 * little-endian header length N, N bytes of JSON header, then the tensor data. The header maps each
 * tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative to the
 * data start) and may hold {@code "__metadata__"}, a string-to-string map.
 *
 * <p>Reading validates everything a corrupt or hostile file could get wrong (header length and
 * nrj's header limit, JSON within {@link JsonCodec}'s limits, duplicate names, dtype, shape and
 * its element count, offsets, byte counts, and the {@link DataLayout} rule that the tensors tile
 * the data section exactly) and throws {@link SafetensorsException} naming the file, the tensor and
 * the rule. Writing is atomic ({@link AtomicFiles}).
 *
 * <p>Deliberately not memory-mapped and not lazy: nrj's checkpoints and fixtures fit on the heap.
 */
public final class Safetensors {
  /** Headers beyond this are rejected before allocating (the reference implementation uses 100 MB). */
  static final long MAX_HEADER = JsonCodec.MAX_DOCUMENT;

  private Safetensors() {}

  /** Element types. nrj writes F32 and I64; reading also accepts the others. */
  public enum DType {
    F64(8),
    F32(4),
    F16(2),
    BF16(2),
    I64(8),
    I32(4),
    I16(2),
    I8(1),
    U8(1),
    BOOL(1);

    public final int size;

    DType(int size) {
      this.size = size;
    }
  }

  /**
   * One tensor: dtype, shape and its raw little-endian bytes ({@code data.length == numel *
   * dtype.size}).
   */
  public record Tensor(DType dtype, long[] shape, byte[] data) {
    public Tensor {
      shape = shape.clone();
      long n = Safetensors.numel(shape);
      if (n < 0 || n * dtype.size != data.length) {
        throw new IllegalArgumentException(
            dtype + " " + Arrays.toString(shape) + " needs " + n * dtype.size + " bytes, got " + data.length);
      }
    }

    /** A float32 tensor. */
    public static Tensor f32(int[] shape, float[] values) {
      ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(values);
      return new Tensor(DType.F32, Safetensors.toLongs(shape), b.array());
    }

    /** An int64 tensor. */
    public static Tensor i64(long[] shape, long[] values) {
      ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
      b.asLongBuffer().put(values);
      return new Tensor(DType.I64, shape, b.array());
    }

    /** A float32 tensor holding a copy of {@code t}. */
    public static Tensor of(HostTensor t) {
      return f32(t.shape(), t.data());
    }

    @Override
    public long[] shape() {
      return shape.clone();
    }

    public long numel() {
      return Safetensors.numel(shape);
    }

    /** The shape as ints (every nrj tensor dimension fits). */
    public int[] intShape() {
      int[] s = new int[shape.length];
      for (int i = 0; i < s.length; i++) s[i] = Math.toIntExact(shape[i]);
      return s;
    }

    /** The values converted to float (exact for F32, F16, BF16; rounded for F64, I32, I64). */
    public float[] toFloats() {
      int n = Math.toIntExact(numel());
      float[] out = new float[n];
      ByteBuffer b = buffer();
      switch (dtype) {
        case F32 -> b.asFloatBuffer().get(out);
        case F64 -> { for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(8 * i); }
        case F16 -> { for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(b.getShort(2 * i)); }
        case BF16 -> { for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16); }
        case I64 -> { for (int i = 0; i < n; i++) out[i] = b.getLong(8 * i); }
        case I32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(4 * i); }
        case I16 -> { for (int i = 0; i < n; i++) out[i] = b.getShort(2 * i); }
        case I8 -> { for (int i = 0; i < n; i++) out[i] = data[i]; }
        case U8, BOOL -> { for (int i = 0; i < n; i++) out[i] = data[i] & 0xff; }
      }
      return out;
    }

    /** The values converted to double (exact for every dtype but I64 beyond 2^53). */
    public double[] toDoubles() {
      int n = Math.toIntExact(numel());
      if (dtype == DType.F64) {
        double[] out = new double[n];
        buffer().asDoubleBuffer().get(out);
        return out;
      }
      if (dtype == DType.I64) {
        long[] l = toLongs();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = l[i];
        return out;
      }
      float[] f = toFloats();
      double[] out = new double[n];
      for (int i = 0; i < n; i++) out[i] = f[i];
      return out;
    }

    /** The values of an integer or bool tensor as longs. */
    public long[] toLongs() {
      int n = Math.toIntExact(numel());
      long[] out = new long[n];
      ByteBuffer b = buffer();
      switch (dtype) {
        case I64 -> b.asLongBuffer().get(out);
        case I32 -> { for (int i = 0; i < n; i++) out[i] = b.getInt(4 * i); }
        case I16 -> { for (int i = 0; i < n; i++) out[i] = b.getShort(2 * i); }
        case I8 -> { for (int i = 0; i < n; i++) out[i] = data[i]; }
        case U8, BOOL -> { for (int i = 0; i < n; i++) out[i] = data[i] & 0xff; }
        default -> throw new IllegalStateException(dtype + " is not an integer type");
      }
      return out;
    }

    /** The values as a float32 host tensor of the same shape. */
    public HostTensor toHost() {
      return new HostTensor(intShape(), toFloats());
    }

    private ByteBuffer buffer() {
      return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }
  }

  /** A read file: its tensors in header order and its metadata. */
  public record Contents(Path file, SequencedMap<String, Tensor> tensors, SequencedMap<String, String> metadata) {
    public Contents {
      tensors = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(tensors));
      metadata = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(metadata));
    }

    /** Every tensor converted to float32, in file order (for weights, images, gradients). */
    public io.nrj.runtime.HostParams toHostParams() {
      io.nrj.runtime.HostParams p = new io.nrj.runtime.HostParams();
      for (Map.Entry<String, Tensor> e : tensors.entrySet()) p.put(e.getKey(), e.getValue().toHost());
      return p;
    }

    /** The named tensor; a missing one is a {@link SafetensorsException} naming it. */
    public Tensor tensor(String name) {
      Tensor t = tensors.get(name);
      if (t == null) throw new SafetensorsException(file, "no tensor named '" + name + "'");
      return t;
    }
  }

  /** Named host tensors as float32 file tensors, in their order. */
  public static SequencedMap<String, Tensor> fromHost(io.nrj.runtime.HostParams params) {
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, HostTensor> e : params.asMap().entrySet()) out.put(e.getKey(), Tensor.of(e.getValue()));
    return out;
  }

  // ---------------------------------------------------------------- reading

  /** Reads and validates a whole file. */
  public static Contents read(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) throw new SafetensorsException(file, "file is " + size + " bytes, too short for a safetensors header");
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0, file);
      long headerLen = lenBuf.getLong(0);
      if (headerLen < 2 || headerLen > size - 8) {
        throw new SafetensorsException(
            file, "header length " + Long.toUnsignedString(headerLen) + " does not fit in the file of " + size + " bytes");
      }
      if (headerLen > MAX_HEADER) {
        throw new SafetensorsException(
            file, String.format(Locale.ROOT, "header length %,d is beyond nrj's limit of %,d bytes for a safetensors header",
                headerLen, MAX_HEADER));
      }
      ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
      readFully(ch, hb, 8, file);
      String header = StandardCharsets.UTF_8.newDecoder().decode(hb.flip()).toString();
      long dataStart = 8 + headerLen;
      return parse(file, header, size - dataStart, (offset, len) -> {
        ByteBuffer d = ByteBuffer.allocate(len);
        readFully(ch, d, dataStart + offset, file);
        return d.array();
      });
    } catch (NoSuchFileException e) {
      throw new SafetensorsException(file, "file does not exist", e);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new SafetensorsException(file, "header is not valid UTF-8", e);
    } catch (IOException e) {
      throw new SafetensorsException(file, "cannot read: " + e.getMessage(), e);
    }
  }

  @FunctionalInterface
  private interface DataReader {
    byte[] read(long offset, int length) throws IOException;
  }

  private static Contents parse(Path file, String header, long dataLen, DataReader data) throws IOException {
    JsonNode root;
    try {
      root = JsonCodec.parse(header);
    } catch (JsonCodec.MalformedJsonException e) {
      throw new SafetensorsException(file, "header is not valid JSON: " + e.getMessage(), e);
    }
    if (!(root instanceof ObjectNode map)) throw new SafetensorsException(file, "header is not a JSON object");
    LinkedHashMap<String, TensorInfo> infos = new LinkedHashMap<>();
    LinkedHashMap<String, String> metadata = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : map.properties()) {
      String name = e.getKey();
      if (name.equals("__metadata__")) {
        readMetadata(file, e.getValue(), metadata);
        continue;
      }
      infos.put(name, tensorInfo(file, name, e.getValue(), dataLen));
    }
    DataLayout.check(file, infos, dataLen);
    LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, TensorInfo> e : infos.entrySet()) {
      TensorInfo info = e.getValue();
      tensors.put(e.getKey(), new Tensor(info.dtype, info.shape, data.read(info.begin, (int) (info.end - info.begin))));
    }
    return new Contents(file, tensors, metadata);
  }

  /** One header entry: dtype, shape and its data_offsets {@code [begin, end)} within the data section. */
  record TensorInfo(DType dtype, long[] shape, long begin, long end) {}

  private static TensorInfo tensorInfo(Path file, String name, JsonNode v, long dataLen) {
    String where = "tensor '" + name + "': ";
    if (!(v instanceof ObjectNode m)) throw new SafetensorsException(file, where + "entry is not a JSON object");
    for (String key : (Iterable<String>) m::fieldNames) {
      if (!List.of("dtype", "shape", "data_offsets").contains(key)) {
        throw new SafetensorsException(file, where + "unknown field \"" + key + "\"");
      }
    }
    if (!(m.get("dtype") instanceof JsonNode dn && dn.isTextual())) throw new SafetensorsException(file, where + "missing dtype");
    String ds = dn.textValue();
    DType dtype;
    try {
      dtype = DType.valueOf(ds);
    } catch (IllegalArgumentException ex) {
      throw new SafetensorsException(file, where + "unsupported dtype \"" + ds + "\"");
    }
    long[] shape = longArray(file, where, "shape", m.get("shape"), -1);
    long[] offs = longArray(file, where, "data_offsets", m.get("data_offsets"), 2);
    long numel = numel(shape);
    if (numel < 0) {
      throw new SafetensorsException(
          file, where + "shape " + Arrays.toString(shape) + " has more elements than a 64-bit count holds");
    }
    if (numel > Integer.MAX_VALUE) {
      throw new SafetensorsException(file, where + "shape " + Arrays.toString(shape) + " is too large");
    }
    long begin = offs[0], end = offs[1];
    if (begin > end || end > dataLen) {
      throw new SafetensorsException(
          file, where + "data_offsets [" + begin + ", " + end + "] lie outside the " + dataLen + " data bytes");
    }
    long need = numel * dtype.size;
    if (end - begin != need) {
      throw new SafetensorsException(
          file,
          where + "data_offsets [" + begin + ", " + end + "] hold " + (end - begin) + " bytes but " + dtype + " "
              + Arrays.toString(shape) + " needs " + need);
    }
    if (need > Integer.MAX_VALUE - 8) throw new SafetensorsException(file, where + "larger than 2 GB");
    return new TensorInfo(dtype, shape, begin, end);
  }

  private static long[] longArray(Path file, String where, String field, JsonNode v, int expectLen) {
    if (!(v instanceof JsonNode a && a.isArray()) || (expectLen >= 0 && a.size() != expectLen)) {
      String what = expectLen >= 0 ? "an array of " + expectLen + " integers" : "an array of integers";
      throw new SafetensorsException(file, where + field + " is not " + what);
    }
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode x = a.get(i);
      if (!x.isIntegralNumber() || !x.canConvertToLong() || x.longValue() < 0) {
        throw new SafetensorsException(file, where + field + " holds " + x + ", not a non-negative integer");
      }
      out[i] = x.longValue();
    }
    return out;
  }

  private static void readMetadata(Path file, JsonNode v, Map<String, String> out) {
    if (!(v instanceof ObjectNode m)) throw new SafetensorsException(file, "__metadata__ is not a JSON object");
    for (Map.Entry<String, JsonNode> e : m.properties()) {
      if (!e.getValue().isTextual()) {
        throw new SafetensorsException(file, "__metadata__ value of \"" + e.getKey() + "\" is not a string");
      }
      out.put(e.getKey(), e.getValue().textValue());
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long pos, Path file) throws IOException {
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos);
      if (n < 0) throw new SafetensorsException(file, "file ends early, at byte " + pos);
      pos += n;
    }
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes {@code tensors} (in their order) and {@code metadata} to {@code file} atomically.
   *
   * @throws SafetensorsException when the directory is missing or writing fails; an existing file
   *     is then left untouched
   */
  public static void write(Path file, SequencedMap<String, Tensor> tensors, Map<String, String> metadata) {
    write(file, tensors, metadata, () -> {});
  }

  /**
   * As {@link #write(Path, SequencedMap, Map)}, running {@code afterHeader} once the header is in
   * the temporary file and before the tensor data: a writer's test hook (see {@code Checkpoint}).
   */
  public static void write(
      Path file, SequencedMap<String, Tensor> tensors, Map<String, String> metadata, Runnable afterHeader) {
    for (String name : tensors.keySet()) {
      if (name.isEmpty() || name.equals("__metadata__")) {
        throw new SafetensorsException(file, "cannot write a tensor named '" + name + "'");
      }
    }
    byte[] header = header(tensors, metadata);
    try {
      AtomicFiles.write(file, ch -> {
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
        AtomicFiles.writeFully(ch, len);
        AtomicFiles.writeFully(ch, ByteBuffer.wrap(header));
        afterHeader.run();
        for (Tensor t : tensors.values()) AtomicFiles.writeFully(ch, ByteBuffer.wrap(t.data));
      });
    } catch (NoSuchFileException e) {
      throw new SafetensorsException(file, "cannot write: directory " + file.toAbsolutePath().getParent() + " does not exist", e);
    } catch (IOException e) {
      throw new SafetensorsException(file, "cannot write: " + e, e);
    }
  }

  /** The header JSON, padded with spaces to a multiple of 8 bytes so that the data stays aligned. */
  static byte[] header(SequencedMap<String, Tensor> tensors, Map<String, String> metadata) {
    ObjectNode h = JsonCodec.object();
    if (!metadata.isEmpty()) {
      ObjectNode m = h.putObject("__metadata__");
      for (Map.Entry<String, String> e : metadata.entrySet()) m.put(e.getKey(), e.getValue());
    }
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      Tensor t = e.getValue();
      ObjectNode entry = h.putObject(e.getKey());
      entry.put("dtype", t.dtype.name());
      entry.set("shape", JsonCodec.array(t.shape));
      entry.set("data_offsets", JsonCodec.array(offset, offset + t.data.length));
      offset += t.data.length;
    }
    byte[] json = JsonCodec.write(h).getBytes(StandardCharsets.UTF_8);
    byte[] padded = Arrays.copyOf(json, (json.length + 7) / 8 * 8);
    Arrays.fill(padded, json.length, padded.length, (byte) ' ');
    return padded;
  }

  static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d != 0 && n > Long.MAX_VALUE / d) return -1;
      n *= d;
    }
    return n;
  }

  private static long[] toLongs(int[] a) {
    long[] l = new long[a.length];
    for (int i = 0; i < a.length; i++) l[i] = a[i];
    return l;
  }
}
