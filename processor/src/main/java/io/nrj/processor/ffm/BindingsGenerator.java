package io.nrj.processor.ffm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Generates the FFM bindings of the CUDA backend ({@code io.nrj.runtime.bindings.*_h}) from the
 * declaration files in {@code runtime-ffm/src/main/bindings/*.decl}. jextract cannot be obtained
 * for this build, so this small generator stands in for it and writes the same shape (see {@link
 * BindingsWriter}). The output is checked in; {@code BindingsDriftTest} fails when it no longer
 * equals what this generator writes, and {@code scripts/regen-bindings.sh} runs {@link #main}.
 */
public final class BindingsGenerator {
  private BindingsGenerator() {}

  /**
   * Usage: {@code BindingsGenerator DECL_DIR OUT_DIR}; writes {@code OUT_DIR/<lib>_h.java} for
   * each {@code DECL_DIR/<lib>.decl}.
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: BindingsGenerator DECL_DIR OUT_DIR (e.g. runtime-ffm/src/main/bindings "
          + "runtime-ffm/src/main/java/io/nrj/runtime/bindings)");
      System.exit(2);
    }
    try {
      for (var entry : generate(Path.of(args[0])).entrySet()) {
        Path target = Path.of(args[1]).resolve(entry.getKey());
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), entry.getKey(), ".tmp");
        Files.writeString(tmp, entry.getValue());
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("wrote " + target);
      }
    } catch (DeclException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(1);
    }
  }

  /** File name ({@code cudnn_h.java}) to source, for every {@code .decl} file in {@code dir}. */
  public static Map<String, String> generate(Path declDir) throws IOException {
    List<Path> decls;
    try (Stream<Path> files = Files.list(declDir)) {
      decls = files.filter(p -> p.getFileName().toString().endsWith(".decl")).sorted().toList();
    }
    if (decls.isEmpty()) {
      throw new DeclException(declDir + ": no .decl files");
    }
    var sources = new TreeMap<String, String>();
    for (Path decl : decls) {
      HeaderDecl header = DeclParser.parse(decl.getFileName().toString(), read(decl));
      sources.put(BindingsWriter.className(header) + ".java", BindingsWriter.write(header));
    }
    return sources;
  }

  /** The source generated for one declaration text. */
  public static String generate(String fileName, String declText) {
    return BindingsWriter.write(DeclParser.parse(fileName, declText));
  }

  private static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
