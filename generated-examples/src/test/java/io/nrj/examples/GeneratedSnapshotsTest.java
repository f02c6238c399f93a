package io.nrj.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The generated trainers are checked in under {@code src/generated-snapshots/} so that reviewers
 * see diffs of generated code when the processor or a spec changes (STYLE.md §3.4). This test
 * fails when the build's output and the snapshots differ; refresh them on purpose with {@code
 * ./build.sh -pl generated-examples -am verify -Dnrj.goldens.update=true} and review the diff.
 */
class GeneratedSnapshotsTest {
  private static final Path GENERATED = Path.of("target", "generated-sources", "annotations");
  private static final Path SNAPSHOTS = Path.of("src", "generated-snapshots");

  @Test
  void generatedSourcesMatchSnapshots() throws IOException {
    List<Path> generated = javaFiles(GENERATED);
    if (Boolean.getBoolean("nrj.goldens.update")) {
      for (Path old : javaFiles(SNAPSHOTS)) Files.delete(SNAPSHOTS.resolve(old));
      for (Path p : generated) {
        Path target = SNAPSHOTS.resolve(p);
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), "snapshot", ".tmp");
        Files.copy(GENERATED.resolve(p), tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
      return;
    }
    assertEquals(
        names(javaFiles(SNAPSHOTS)), names(generated),
        "generated trainers differ from the checked-in snapshots (refresh: -Dnrj.goldens.update=true)");
    for (Path p : generated) {
      assertEquals(
          Files.readString(SNAPSHOTS.resolve(p)),
          Files.readString(GENERATED.resolve(p)),
          p + " differs from its snapshot (refresh on purpose with -Dnrj.goldens.update=true)");
    }
  }

  private static List<Path> javaFiles(Path root) throws IOException {
    if (!Files.isDirectory(root)) return List.of();
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.toString().endsWith(".java")).map(root::relativize).sorted().toList();
    }
  }

  private static TreeSet<String> names(List<Path> paths) {
    TreeSet<String> out = new TreeSet<>();
    for (Path p : paths) out.add(p.toString());
    return out;
  }
}
