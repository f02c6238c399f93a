package io.nrj.processor.reading;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.annotation.processing.Filer;
import javax.tools.FileObject;
import javax.tools.StandardLocation;

/**
 * Finds the {@code .nr} file an {@code @NrSpec} names. In order: the directory of the {@code
 * -Anr.dir} option; {@code src/main/nr/} of the project being compiled, found by walking up from
 * the compiler's output folders ({@code target/classes}, {@code
 * target/generated-sources/annotations}), which is what makes a plain Maven project work with no
 * configuration; and the source path. Records every place it looked, for the error message.
 */
public final class SpecLocator {
  /** A found spec: the name diagnostics print (a path where there is one) and its text. */
  public record FoundSpec(String displayName, String text) {}

  private static final int MAX_PARENTS = 4;

  private final Filer filer;
  private final String specDir;
  private final List<String> lookedIn = new ArrayList<>();

  /** {@code specDir} is the value of {@code -Anr.dir}, or null. */
  public SpecLocator(Filer filer, String specDir) {
    this.filer = filer;
    this.specDir = specDir;
  }

  /** The places the last {@link #find} looked in, in order. */
  public List<String> lookedIn() {
    return List.copyOf(lookedIn);
  }

  public Optional<FoundSpec> find(String fileName) throws IOException {
    lookedIn.clear();
    if (specDir != null) {
      Optional<FoundSpec> found = read(Path.of(specDir).resolve(fileName), "-Anr.dir=" + specDir);
      if (found.isPresent()) return found;
    }
    for (StandardLocation output :
        List.of(StandardLocation.CLASS_OUTPUT, StandardLocation.SOURCE_OUTPUT)) {
      Optional<Path> start = outputFolder(output);
      if (start.isEmpty()) continue;
      Path dir = start.get();
      for (int up = 0; up < MAX_PARENTS && dir != null; up++, dir = dir.getParent()) {
        Path candidate = dir.resolve("src").resolve("main").resolve("nr").resolve(fileName);
        if (Files.isRegularFile(candidate)) return read(candidate, null);
      }
      lookedIn.add("src/main/nr above " + start.get());
    }
    return sourcePath(fileName);
  }

  private Optional<FoundSpec> read(Path file, String label) throws IOException {
    if (!Files.isRegularFile(file)) {
      lookedIn.add(label == null ? file.toString() : label);
      return Optional.empty();
    }
    return Optional.of(new FoundSpec(file.toString(), Files.readString(file)));
  }

  private Optional<Path> outputFolder(StandardLocation location) {
    try {
      // Output locations hand out a FileObject without creating anything.
      URI uri = filer.getResource(location, "", "nrj-locator-probe").toUri();
      if (!"file".equals(uri.getScheme())) return Optional.empty();
      return Optional.ofNullable(Path.of(uri).getParent());
    } catch (IOException | IllegalArgumentException | UnsupportedOperationException e) {
      return Optional.empty(); // no such location here (compile-testing, in-memory javac)
    }
  }

  private Optional<FoundSpec> sourcePath(String fileName) {
    try {
      FileObject file = filer.getResource(StandardLocation.SOURCE_PATH, "", fileName);
      String text = file.getCharContent(true).toString();
      URI uri = file.toUri();
      return Optional.of(
          new FoundSpec("file".equals(uri.getScheme()) ? Path.of(uri).toString() : fileName, text));
    } catch (IOException | IllegalArgumentException e) {
      lookedIn.add("the source path");
      return Optional.empty();
    }
  }
}
