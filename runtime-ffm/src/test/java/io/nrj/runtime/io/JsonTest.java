package io.nrj.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void parsesAllValueKindsKeepingKeyOrder() {
    Object v = Json.parse(" {\"z\": [1, -2.5e1, true, false, null], \"a\": {\"s\": \"x\\n\\u00e9\\\"\"}} ");
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("s", "x\né\"");
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("z", Arrays.asList(1L, -25.0, true, false, null));
    expected.put("a", inner);
    assertEquals(expected, v);
    assertEquals(List.of("z", "a"), List.copyOf(((Map<?, ?>) v).keySet()));
  }

  @Test
  void writesWhatItReads() {
    String text = "{\"widths\":[64,128],\"lr\":0.1,\"name\":\"a\\\"b\\\\c\\u0001\",\"ok\":true,\"none\":null}";
    assertEquals(text, Json.write(Json.parse(text)));
    assertEquals("[1,2]", Json.write(new int[] {1, 2}));
  }

  @Test
  void reportsErrorsWithOffsets() {
    assertEquals("duplicate key \"a\" at offset 7",
        assertThrows(Json.JsonException.class, () -> Json.parse("{\"a\":1,\"a\":2}")).getMessage());
    assertEquals("unexpected trailing character at offset 3",
        assertThrows(Json.JsonException.class, () -> Json.parse("{} x")).getMessage());
    assertEquals("leading zero at offset 1",
        assertThrows(Json.JsonException.class, () -> Json.parse("[01]")).getMessage());
    assertEquals("expected ',' or ']' at offset 3",
        assertThrows(Json.JsonException.class, () -> Json.parse("[1 2]")).getMessage());
  }

  @Test
  void refusesNonFiniteNumbers() {
    assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
  }
}
