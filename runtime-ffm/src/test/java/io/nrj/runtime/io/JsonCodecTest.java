package io.nrj.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

class JsonCodecTest {
  @Test
  void parsesAllValueKindsKeepingKeyOrder() {
    JsonNode v = JsonCodec.parse(" {\"z\": [1, -2.5e1, true, false, null], \"a\": {\"s\": \"x\\n\\u00e9\\\"\"}} ");
    assertEquals(List.of("z", "a"), StreamSupport.stream(((Iterable<String>) v::fieldNames).spliterator(), false).toList());
    assertEquals(1L, v.get("z").get(0).longValue());
    assertTrue(v.get("z").get(0).isIntegralNumber());
    assertEquals(-25.0, v.get("z").get(1).doubleValue());
    assertTrue(v.get("z").get(3).isBoolean());
    assertTrue(v.get("z").get(4).isNull());
    assertEquals("x\né\"", v.get("a").get("s").textValue());
  }

  @Test
  void writesWhatItReadsCompactly() {
    // The same bytes the hand-made writer gave: checkpoint metadata and --json lines keep their form.
    String text = "{\"widths\":[64,128],\"lr\":0.1,\"wd\":1.0E-4,\"name\":\"a\\\"b\\\\c\\u0001\",\"ok\":true,\"none\":null}";
    assertEquals(text, JsonCodec.write(JsonCodec.parse(text)));
    assertEquals("[1,2]", JsonCodec.write(JsonCodec.array(1, 2)));
    ObjectNode o = JsonCodec.object().put("lambda", 1.5e-4).put("u_old", 0.1 + 0.2);
    assertEquals("{\"lambda\":1.5E-4,\"u_old\":0.30000000000000004}", JsonCodec.write(o));
  }

  @Test
  void reportsErrorsWithOffsets() {
    assertEquals("Duplicate field 'a' at offset 10",
        assertThrows(JsonCodec.MalformedJsonException.class, () -> JsonCodec.parse("{\"a\":1,\"a\":2}")).getMessage());
    String trailing = assertThrows(JsonCodec.MalformedJsonException.class, () -> JsonCodec.parse("{} x")).getMessage();
    assertTrue(trailing.startsWith("Unrecognized token 'x'"), trailing);
    String zero = assertThrows(JsonCodec.MalformedJsonException.class, () -> JsonCodec.parse("[01]")).getMessage();
    assertTrue(zero.startsWith("Invalid numeric value: Leading zeroes not allowed"), zero);
    String trailingValue = assertThrows(JsonCodec.MalformedJsonException.class, () -> JsonCodec.parse("{} 1")).getMessage();
    assertTrue(trailingValue.startsWith("Trailing token (of type VALUE_NUMBER_INT) found after value"), trailingValue);
    assertEquals("no JSON value at offset 0",
        assertThrows(JsonCodec.MalformedJsonException.class, () -> JsonCodec.parse("  ")).getMessage());
  }

  @Test
  void enforcesNestingAndNumberLimitsWithoutNamingJavaMethods() {
    String deep = "[".repeat(JsonCodec.MAX_NESTING + 1) + "]".repeat(JsonCodec.MAX_NESTING + 1);
    String m = assertThrows(JsonCodec.MalformedJsonException.class, () -> JsonCodec.parse(deep)).getMessage();
    assertTrue(m.startsWith("Document nesting depth (65) exceeds the maximum allowed (64)"), m);
    assertEquals(JsonCodec.MAX_NESTING, depth(JsonCodec.parse(deep.substring(1, deep.length() - 1))));
    String digits = "1".repeat(JsonCodec.MAX_NUMBER_LENGTH + 1);
    m = assertThrows(JsonCodec.MalformedJsonException.class, () -> JsonCodec.parse("[" + digits + "]")).getMessage();
    assertTrue(m.startsWith("Number value length (65) exceeds the maximum allowed (64)"), m);
    assertTrue(!m.contains("StreamReadConstraints"), m);
  }

  @Test
  void writesReportRowsOnePerLine() {
    ObjectNode doc = JsonCodec.object().put("after_epoch", 3).put("warning", (String) null);
    var layers = doc.putArray("layers");
    layers.addObject().put("name", "a").put("deleted", false);
    layers.addObject().put("name", "b").put("width_after", 4);
    doc.putObject("classifier").put("name", "fc").put("in_after", 9);
    assertEquals(
        """
        {
          "after_epoch": 3,
          "warning": null,
          "layers": [
            {"name": "a", "deleted": false},
            {"name": "b", "width_after": 4}
          ],
          "classifier": {"name": "fc", "in_after": 9}
        }
        """,
        JsonCodec.writeRows(doc));
  }

  @Test
  void refusesNonFiniteNumbers() {
    assertThrows(IllegalArgumentException.class, () -> JsonCodec.finite(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> JsonCodec.finite(Double.POSITIVE_INFINITY));
  }

  private static int depth(JsonNode n) {
    int d = 0;
    for (; n != null && n.isArray(); n = n.get(0)) d++;
    return d;
  }
}
