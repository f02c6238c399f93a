package io.nrj.runtime.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The safetensors rule for the data section: taken in the order of their offsets, the tensors'
 * {@code data_offsets} start at 0, each begins where the one before ended, and the last ends at the
 * end of the file. So no byte is read as part of two tensors (a hand-edited header that moves one
 * tensor into another would otherwise load silently), and none is left over.
 *
 * <p>Each tensor's own bounds and byte count are checked before this, per entry.
 */
final class DataLayout {
  private DataLayout() {}

  private static final String RULE = "safetensors data_offsets must be contiguous and non-overlapping and cover the data section exactly";

  static void check(Path file, Map<String, Safetensors.TensorInfo> tensors, long dataLen) {
    List<Map.Entry<String, Safetensors.TensorInfo>> sorted = new ArrayList<>(tensors.entrySet());
    sorted.sort(
        Comparator.comparingLong((Map.Entry<String, Safetensors.TensorInfo> e) -> e.getValue().begin())
            .thenComparingLong(e -> e.getValue().end()));
    long at = 0;
    String previous = null;
    for (Map.Entry<String, Safetensors.TensorInfo> e : sorted) {
      Safetensors.TensorInfo t = e.getValue();
      String here = "'" + e.getKey() + "' " + span(t.begin(), t.end());
      if (t.begin() < at) {
        throw new SafetensorsException(
            file, "tensors " + previous + " and " + here + " overlap (" + RULE + ")");
      }
      if (t.begin() > at) {
        throw new SafetensorsException(
            file,
            "data bytes " + span(at, t.begin()) + " belong to no tensor ("
                + (previous == null ? "before " + here : "between " + previous + " and " + here) + "; " + RULE + ")");
      }
      at = t.end();
      previous = here;
    }
    if (at != dataLen) {
      throw new SafetensorsException(
          file,
          "data bytes " + span(at, dataLen) + " belong to no tensor (after " + (previous == null ? "the header" : previous)
              + "; " + RULE + ")");
    }
  }

  private static String span(long begin, long end) {
    return "[" + begin + ", " + end + "]";
  }
}
