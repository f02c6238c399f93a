package io.nrj.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every function declared in a {@code .decl} file is exported by the library it binds, so no
 * generated wrapper fails at its first call with "unresolved symbol". Runs for each library that
 * loads on this machine (libcudart on the build machine; all four on a GPU machine).
 */
class DeclaredSymbolsTest {
  private static final Pattern FUNCTION = Pattern.compile("^[\\w ]+?[\\s*]+(\\w+)\\(", Pattern.MULTILINE);

  @ParameterizedTest
  @ValueSource(strings = {"cudart", "cublas", "cudnn", "nvrtc"})
  void everyDeclaredFunctionIsExported(String library) throws IOException {
    // From the module (surefire) or from the repository root (scripts/gpu-check.sh).
    Path file = Stream.of(Path.of("src", "main", "bindings"), Path.of("runtime-ffm", "src", "main", "bindings"))
        .map(dir -> dir.resolve(library + ".decl")).filter(Files::exists).findFirst().orElse(null);
    org.junit.jupiter.api.Assumptions.assumeTrue(file != null, "declaration files not found from " + Path.of("").toAbsolutePath());
    String decl = Files.readString(file);
    String soname = decl.lines().filter(l -> l.startsWith("library ")).findFirst().orElseThrow().split(" ")[2];
    SymbolLookup lookup;
    try {
      lookup = NativeLibraries.lookup(soname);
    } catch (MissingLibraryException e) {
      org.junit.jupiter.api.Assumptions.abort(soname + " is not installed here");
      return;
    }
    List<String> functions = new ArrayList<>();
    var m = FUNCTION.matcher(decl.replaceAll("#.*", ""));
    while (m.find()) {
      functions.add(m.group(1));
    }
    assertFalse(functions.isEmpty());
    List<String> missing = functions.stream().filter(f -> lookup.find(f).isEmpty()).toList();
    assertEquals(List.of(), missing, "declared in " + library + ".decl but not exported by " + soname);
  }
}
