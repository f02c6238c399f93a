package io.nrj.dsl;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.nrj.dsl.ir.NrModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The shipped specs (generated-examples/src/main/nr, part of this repository) for tests. */
final class Specs {
  private Specs() {}

  static final Path DIR = Path.of("..", "generated-examples", "src", "main", "nr");

  static List<Path> all() {
    try (Stream<Path> files = Files.list(DIR)) {
      List<Path> list = files.filter(p -> p.toString().endsWith(".nr")).sorted().toList();
      assertTrue(list.size() >= 10, "expected the shipped specs in " + DIR.toAbsolutePath());
      return list;
    } catch (IOException e) {
      throw new AssertionError("cannot list " + DIR.toAbsolutePath(), e);
    }
  }

  static String source(String fileName) {
    try {
      return Files.readString(DIR.resolve(fileName));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Compiles source text and fails with every diagnostic if it does not compile. */
  static NrModule compileOk(String name, String source) {
    CompileResult r = NrCompiler.compile(name, source);
    if (!r.ok()) {
      StringBuilder sb = new StringBuilder("expected " + name + " to compile:\n");
      for (Diagnostic d : r.diagnostics()) sb.append(d.format()).append('\n');
      fail(sb.toString());
    }
    return r.module();
  }

  static NrModule compileSpec(String fileName) {
    return compileOk(fileName, source(fileName));
  }
}
