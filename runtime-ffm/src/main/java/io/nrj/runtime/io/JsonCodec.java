package io.nrj.runtime.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The one JSON reader and writer of nrj (Jackson): safetensors headers, checkpoint metadata, the NR
 * state, {@code rejuvenation.json} and the {@code --json} outputs of the CLI.
 *
 * <p>Everything nrj reads as JSON comes from a file someone else may have written, so every read
 * goes through one configuration with limits: at most {@value #MAX_DOCUMENT} characters (the
 * safetensors header limit), {@value #MAX_NESTING} levels of nesting and numbers of at most
 * {@value #MAX_NUMBER_LENGTH} characters; duplicate object keys and anything after the value are
 * errors (a header with two tensors of the same name is corrupt). Objects keep their key order.
 *
 * <p>Deliberately not a data-binding layer: callers read {@link JsonNode} trees and check each
 * field themselves, so that an error can name the field.
 */
public final class JsonCodec {
  /** Longest document read, in characters (the safetensors header limit). */
  public static final int MAX_DOCUMENT = 100_000_000;
  /** Deepest nesting of arrays and objects read; nrj's own documents use at most 4 levels. */
  public static final int MAX_NESTING = 64;
  /** Longest number literal read, in characters. */
  public static final int MAX_NUMBER_LENGTH = 64;

  private static final ObjectMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxDocumentLength(MAX_DOCUMENT)
                          .maxStringLength(MAX_DOCUMENT)
                          .maxNestingDepth(MAX_NESTING)
                          .maxNumberLength(MAX_NUMBER_LENGTH)
                          .build())
                  .build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private JsonCodec() {}

  /** Malformed JSON, or JSON beyond the limits; {@link #offset()} is the 0-based character position, if known. */
  public static final class MalformedJsonException extends RuntimeException {
    private final long offset;

    MalformedJsonException(String problem, long offset) {
      super(offset < 0 ? problem : problem + " at offset " + offset, null, false, false);
      this.offset = offset;
    }

    /** Where the problem was found, or -1 when the parser does not say (a limit exceeded). */
    public long offset() {
      return offset;
    }
  }

  /** Parses one JSON value; only whitespace may follow it. */
  public static JsonNode parse(String text) {
    try {
      JsonNode node = MAPPER.readTree(text);
      if (node == null || node.isMissingNode()) throw new MalformedJsonException("no JSON value", 0);
      return node;
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new MalformedJsonException(problem(e), at == null ? -1 : at.getCharOffset());
    }
  }

  // Jackson's messages name the Java method behind a limit ("from `StreamReadConstraints...`") and
  // describe a redacted source; users need the limit and the offset, given separately.
  private static String problem(JsonProcessingException e) {
    String m = e.getOriginalMessage();
    if (e instanceof StreamConstraintsException) m = m.replaceAll(", from `[^`]*`", "");
    m = m.replaceAll(" ?\\(start marker at \\[Source: .*?; line: \\d+, column: \\d+\\]\\)", "");
    return m.replace('\n', ' ');
  }

  /** A new empty object (keys stay in insertion order). */
  public static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  /** A new empty array. */
  public static ArrayNode array() {
    return JsonNodeFactory.instance.arrayNode();
  }

  /** An array of the given integers. */
  public static ArrayNode array(int... values) {
    ArrayNode a = array();
    for (int v : values) a.add(v);
    return a;
  }

  /** An array of the given integers. */
  public static ArrayNode array(long... values) {
    ArrayNode a = array();
    for (long v : values) a.add(v);
    return a;
  }

  /** The compact form ({@code {"a":1,"b":[2,3]}}), as nrj writes headers, metadata and {@code --json} lines. */
  public static String write(JsonNode value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e); // a tree always serialises
    }
  }

  /**
   * A report's form: the top-level object one key per line, the rows of its arrays one per line,
   * each row on one line ({@code rejuvenation.json}). Ends with a newline.
   */
  public static String writeRows(JsonNode value) {
    try {
      return MAPPER.writer(new RowsPrettyPrinter()).writeValueAsString(value) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** A double for a document that must read back bit-identically; JSON has no NaN or infinity. */
  public static double finite(double v) {
    if (!Double.isFinite(v)) throw new IllegalArgumentException("JSON cannot hold " + v);
    return v;
  }
}
