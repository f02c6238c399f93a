package io.nrj.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.runtime.cuda.cheader.CDeclarationScanner;
import io.nrj.runtime.cuda.cheader.CModel;
import io.nrj.runtime.cuda.cheader.CPreprocessor;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code .decl} files against the real CUDA 13 / cuDNN 9 headers: every bound function's return
 * and parameter ABI classes and count, every constant's value, every struct's layout, every
 * typedef's class, and the same for the generated {@code *_h} classes (carrier types, constant
 * accessors, struct layouts). The bindings were written by hand from the headers and cannot be run
 * without a GPU here, so this is what stands between a typo and a corrupted stack on the first GPU
 * run. The scanner's classes and values were cross-checked once against g++ 12 on every function
 * and enumerator of the four headers (see the commit message), not in this test.
 *
 * <p>Headers are looked for in {@code NRJ_CUDA_HEADERS} (system property or environment, a path
 * list), else in {@code ../shared/reference/cuda-headers}, {@code
 * ../../shared/reference/cuda-headers} and {@code /usr/local/cuda/include}; a library whose headers
 * are absent is skipped, saying so.
 */
class HeaderAgreementTest {
  /** Standard C headers: not expected on the header path, and nothing we bind depends on them. */
  private static final Set<String> STANDARD_HEADERS =
      Set.of(
          "stdlib.h",
          "stdint.h",
          "stddef.h",
          "limits.h",
          "stdio.h",
          "string.h",
          "float.h",
          "math.h",
          "stdbool.h",
          "stdarg.h",
          "assert.h",
          "ctype.h",
          "errno.h",
          "time.h",
          "inttypes.h");

  private static final Map<String, String> ENTRY_HEADERS =
      Map.of(
          "cudart",
          "cuda_runtime_api.h",
          "cublas",
          "cublas_v2.h",
          "cudnn",
          "cudnn.h",
          "nvrtc",
          "nvrtc.h");
  private static final Map<String, CModel> HEADERS = new ConcurrentHashMap<>();

  @ParameterizedTest
  @ValueSource(strings = {"cudart", "cublas", "cudnn", "nvrtc"})
  void everyDeclaredFunctionMatchesItsHeaderPrototype(String library) {
    var check = agreement(library);
    assertEquals(
        List.of(), check.functions(), library + ".decl functions disagree with the headers");
  }

  @ParameterizedTest
  @ValueSource(strings = {"cudart", "cublas", "cudnn", "nvrtc"})
  void everyDeclaredConstantHasTheHeadersValue(String library) {
    assertEquals(
        List.of(),
        agreement(library).constants(),
        library + ".decl constants disagree with the headers");
  }

  @ParameterizedTest
  @ValueSource(strings = {"cudart", "cublas", "cudnn", "nvrtc"})
  void everyDeclaredStructHasTheHeadersLayout(String library) {
    assertEquals(
        List.of(),
        agreement(library).structs(),
        library + ".decl structs disagree with the headers");
  }

  @ParameterizedTest
  @ValueSource(strings = {"cudart", "cublas", "cudnn", "nvrtc"})
  void everyDeclaredTypedefHasTheHeadersClass(String library) {
    assertEquals(
        List.of(),
        agreement(library).typedefs(),
        library + ".decl typedefs disagree with the headers");
  }

  @ParameterizedTest
  @ValueSource(strings = {"cudart", "cublas", "cudnn", "nvrtc"})
  void theGeneratedJavaBindingsCarryTheHeadersTypesValuesAndLayouts(String library)
      throws Exception {
    CModel header = headers(library);
    CModel decl = HeaderAgreement.parseDecl(library + ".decl", Files.readString(declFile(library)));
    var check =
        new GeneratedBindingsCheck(
            decl, header, Class.forName("io.nrj.runtime.bindings." + library + "_h"));
    var mismatches = new ArrayList<String>();
    mismatches.addAll(check.functions());
    mismatches.addAll(check.constants());
    mismatches.addAll(check.structs());
    assertEquals(List.of(), mismatches, library + "_h disagrees with the headers");
  }

  @ParameterizedTest
  @ValueSource(strings = {"cudart", "cublas", "cudnn", "nvrtc"})
  void everyDeclarationInTheDeclFileReachesTheCheck(String library) throws IOException {
    // Counted on the raw text, independently of the scanner: one prototype per "name(", one
    // enumerator per "NAME = value", one struct per "struct name {".
    String text = Files.readString(declFile(library)).replaceAll("(?m)#.*$", "");
    CModel decl = HeaderAgreement.parseDecl(library + ".decl", text);
    assertEquals(count(text, "(?m)^[\\w ]+?[\\s*]+\\w+\\("), decl.functions.size(), "functions");
    assertEquals(count(text, "(?m)^\\s*\\w+ = -?\\w+,"), decl.enumerators.size(), "enumerators");
    assertEquals(count(text, "(?m)^struct \\w+ \\{"), decl.aggregates.size(), "structs");
    if (library.equals("cudart") || library.equals("cudnn")) {
      assertEquals(
          library.equals("cudart")
              ? Set.of("dim3")
              : Set.of(
                  "cudnnConvolutionFwdAlgoPerf_t",
                  "cudnnConvolutionBwdDataAlgoPerf_t",
                  "cudnnConvolutionBwdFilterAlgoPerf_t"),
          decl.aggregates.keySet());
    }
  }

  private static long count(String text, String regex) {
    return java.util.regex.Pattern.compile(regex).matcher(text).results().count();
  }

  @Test
  void cudaLaunchKernelIsDocumentedToAcceptALibraryKernelHandle() throws IOException {
    // Kernels.java passes the cudaKernel_t from cudaLibraryGetKernel as cudaLaunchKernel's
    // "const void *func". The header marks the functions that take a cudaKernel_t cast to void*
    // with the \note_cudaKernel_t doc alias (its text is not in the header); cudaLaunchKernel has
    // it, cudaFuncSetCacheConfig lacks it and says it "does not accept a cudaKernel_t casted as
    // void*". (Apache tvm-ffi's runtime-API cubin launcher makes the same call for CUDA >= 12.8.)
    CModel h = headers("cudart");
    assertEquals(
        "pointer",
        new io.nrj.runtime.cuda.cheader.AbiClassifier(h)
            .value(h.typedefs.get("cudaKernel_t"))
            .describe());
    String api = Files.readString(headerFile("cuda_runtime_api.h"));
    assertTrue(docCommentOf(api, "cudaLaunchKernel").contains("\\note_cudaKernel_t"));
    assertFalse(docCommentOf(api, "cudaFuncSetCacheConfig").contains("\\note_cudaKernel_t"));
  }

  private static String docCommentOf(String header, String function) {
    int proto = header.indexOf(" CUDARTAPI " + function + "(");
    assertTrue(proto > 0, function + " prototype not found");
    int start = header.lastIndexOf("/**", proto);
    return header.substring(start, proto);
  }

  private static HeaderAgreement agreement(String library) {
    CModel header = headers(library);
    Path file = declFile(library);
    try {
      return new HeaderAgreement(
          library + ".decl",
          HeaderAgreement.parseDecl(library + ".decl", Files.readString(file)),
          header);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path declFile(String library) {
    // From the module (surefire) or from the repository root.
    return Stream.of(
            Path.of("src", "main", "bindings"), Path.of("runtime-ffm", "src", "main", "bindings"))
        .map(dir -> dir.resolve(library + ".decl"))
        .filter(Files::exists)
        .findFirst()
        .orElseThrow();
  }

  /** The scanned headers of {@code library}, or an aborted test saying what was looked for. */
  static CModel headers(String library) {
    String entry = ENTRY_HEADERS.get(library);
    List<Path> path = headerPath();
    Assumptions.assumeTrue(
        path.stream().anyMatch(d -> Files.isRegularFile(d.resolve(entry))),
        () ->
            entry
                + " not found in "
                + describe(path)
                + "; set NRJ_CUDA_HEADERS to the CUDA/cuDNN include directories");
    CModel model =
        HEADERS.computeIfAbsent(
            library, l -> CDeclarationScanner.scan(CPreprocessor.run(path, entry)));
    List<String> missing = new ArrayList<>(model.preprocessed.missingIncludes());
    missing.removeAll(STANDARD_HEADERS);
    Assumptions.assumeTrue(
        missing.isEmpty(),
        () ->
            entry
                + " includes "
                + missing
                + ", not found in "
                + describe(path)
                + "; set NRJ_CUDA_HEADERS");
    return model;
  }

  private static Path headerFile(String name) {
    return headerPath().stream()
        .map(d -> d.resolve(name))
        .filter(Files::isRegularFile)
        .findFirst()
        .orElseThrow();
  }

  static List<Path> headerPath() {
    return candidates().stream()
        .filter(Files::isDirectory)
        .map(p -> p.toAbsolutePath().normalize())
        .toList();
  }

  private static List<Path> candidates() {
    String configured = System.getProperty("NRJ_CUDA_HEADERS", System.getenv("NRJ_CUDA_HEADERS"));
    return configured != null && !configured.isBlank()
        ? Stream.of(configured.split(File.pathSeparator))
            .filter(s -> !s.isBlank())
            .map(Path::of)
            .toList()
        : List.of(
            Path.of("../shared/reference/cuda-headers"),
            Path.of("../../shared/reference/cuda-headers"),
            Path.of("/usr/local/cuda/include"));
  }

  private static String describe(List<Path> path) {
    boolean configured =
        System.getProperty("NRJ_CUDA_HEADERS", System.getenv("NRJ_CUDA_HEADERS")) != null;
    return (configured ? "NRJ_CUDA_HEADERS " : "")
        + candidates()
        + " (existing: "
        + path
        + ", from "
        + Path.of("").toAbsolutePath()
        + ")";
  }
}
