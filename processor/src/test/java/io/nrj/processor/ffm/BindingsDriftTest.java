package io.nrj.processor.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The checked-in bindings in runtime-ffm must be exactly what the generator writes from the
 * checked-in declarations; on failure run {@code scripts/regen-bindings.sh} and commit the result.
 */
class BindingsDriftTest {
  private static final Path DECLS = Path.of("..", "runtime-ffm", "src", "main", "bindings");
  private static final Path BINDINGS =
      Path.of("..", "runtime-ffm", "src", "main", "java", "io", "nrj", "runtime", "bindings");

  @Test
  void checkedInBindingsEqualTheGeneratorsOutput() throws IOException {
    Map<String, String> generated = BindingsGenerator.generate(DECLS);
    assertEquals(new TreeSet<>(generated.keySet()), checkedIn(),
        "the set of *_h.java files differs from the .decl files; run scripts/regen-bindings.sh");
    for (var entry : generated.entrySet()) {
      assertEquals(entry.getValue(), Files.readString(BINDINGS.resolve(entry.getKey())),
          entry.getKey() + " was edited by hand or its .decl changed; run scripts/regen-bindings.sh");
    }
  }

  @Test
  void bindsTheFourLibrariesTheBackendNeeds() throws IOException {
    assertEquals(new TreeSet<>(java.util.List.of("cublas_h.java", "cudart_h.java", "cudnn_h.java", "nvrtc_h.java")),
        checkedIn());
    String cudnn = Files.readString(BINDINGS.resolve("cudnn_h.java"));
    assertTrue(cudnn.contains("public static final String LIBRARY = \"libcudnn.so.9\";"));
  }

  private static TreeSet<String> checkedIn() throws IOException {
    try (Stream<Path> files = Files.list(BINDINGS)) {
      return new TreeSet<>(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith("_h.java")).toList());
    }
  }
}
