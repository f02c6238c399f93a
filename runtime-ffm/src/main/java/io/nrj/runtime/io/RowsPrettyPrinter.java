package io.nrj.runtime.io;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.PrettyPrinter;
import java.io.IOException;

/**
 * Lays out a report as a table a person can read and diff: the top-level object one key per line,
 * each element of its arrays on a line of its own, and everything deeper on that one line.
 *
 * <pre>
 * {
 *   "live": 96,
 *   "layers": [
 *     {"name": "features.0", "live_out": 3},
 *     {"name": "features.2", "live_out": 5}
 *   ]
 * }
 * </pre>
 *
 * Stateful (the nesting depth), so one instance per document.
 */
final class RowsPrettyPrinter implements PrettyPrinter {
  private int depth;

  @Override
  public void writeRootValueSeparator(JsonGenerator g) throws IOException {
    g.writeRaw(' ');
  }

  @Override
  public void writeStartObject(JsonGenerator g) throws IOException {
    g.writeRaw('{');
    depth++;
  }

  @Override
  public void beforeObjectEntries(JsonGenerator g) throws IOException {
    if (depth == 1) g.writeRaw("\n  ");
  }

  @Override
  public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
    g.writeRaw(": ");
  }

  @Override
  public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
    g.writeRaw(depth == 1 ? ",\n  " : ", ");
  }

  @Override
  public void writeEndObject(JsonGenerator g, int entries) throws IOException {
    depth--;
    if (depth == 0 && entries > 0) g.writeRaw('\n');
    g.writeRaw('}');
  }

  @Override
  public void writeStartArray(JsonGenerator g) throws IOException {
    g.writeRaw('[');
    depth++;
  }

  @Override
  public void beforeArrayValues(JsonGenerator g) throws IOException {
    if (depth == 2) g.writeRaw("\n    ");
  }

  @Override
  public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
    g.writeRaw(depth == 2 ? ",\n    " : ", ");
  }

  @Override
  public void writeEndArray(JsonGenerator g, int values) throws IOException {
    depth--;
    g.writeRaw(depth == 1 ? "\n  ]" : "]");
  }
}
