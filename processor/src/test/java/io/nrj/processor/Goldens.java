package io.nrj.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden generated sources, as Dagger keeps them: {@code
 * src/test/resources/goldens/<TestClass>/<method>/<QualifiedName>.java}. A missing golden fails
 * with its path; to rewrite goldens on purpose run {@code ./build.sh -pl processor -am verify
 * -Dnrj.goldens.update=true} and review the diff.
 */
final class Goldens {
  static final String UPDATE_PROPERTY = "nrj.goldens.update";
  private static final Path ROOT = Path.of("src", "test", "resources", "goldens");

  private Goldens() {}

  static void assertMatches(String testClass, String method, String qualifiedName, String actual)
      throws IOException {
    Path golden = ROOT.resolve(testClass).resolve(method).resolve(qualifiedName + ".java");
    if (Boolean.getBoolean(UPDATE_PROPERTY)) {
      Files.createDirectories(golden.getParent());
      Path tmp = Files.createTempFile(golden.getParent(), "golden", ".tmp");
      Files.writeString(tmp, actual);
      Files.move(tmp, golden, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return;
    }
    if (!Files.isRegularFile(golden)) {
      fail("missing golden " + golden.toAbsolutePath()
          + "; create it with -D" + UPDATE_PROPERTY + "=true and review it");
    }
    assertEquals(Files.readString(golden), actual, "generated source differs from " + golden
        + " (refresh on purpose with -D" + UPDATE_PROPERTY + "=true)");
  }
}
