package io.nrj.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

class NativeLibrariesTest {
  @TempDir Path tmp;

  private static final SymbolLookup FOUND = name -> java.util.Optional.empty();

  /** Records every attempt; "opens" only the names in {@code loadable}. */
  private static class RecordingOpener implements NativeLibraries.Opener {
    final List<String> attempts = new ArrayList<>();
    final List<String> loadable;

    RecordingOpener(String... loadable) {
      this.loadable = List.of(loadable);
    }

    @Override
    public SymbolLookup open(String nameOrPath) {
      attempts.add(nameOrPath);
      if (loadable.contains(nameOrPath)) {
        return FOUND;
      }
      throw new IllegalArgumentException("Cannot open library: " + nameOrPath);
    }
  }

  private Path lib(Path dir, String soname) throws IOException {
    Files.createDirectories(dir);
    return Files.writeString(dir.resolve(soname), "not a real library");
  }

  @Test
  void triesTheSystemLoaderFirst() {
    var opener = new RecordingOpener("libcudnn.so.9");
    var locator = new NativeLibraries.Locator(Map.of("NRJ_CUDA_PATH", tmp.toString()), List.of(), opener);
    assertSame(FOUND, locator.load("libcudnn.so.9"));
    assertEquals(List.of("libcudnn.so.9"), opener.attempts);
  }

  @Test
  void thenNrjCudaPathInOrderThenPipLayout() throws IOException {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    Files.createDirectories(a); // no library in a: skipped without an attempt
    Path inB = lib(b, "libcudnn.so.9");
    Path site = tmp.resolve("site-packages");
    Path inPip = lib(site.resolve("nvidia/cudnn/lib"), "libcudnn.so.9");
    var opener = new RecordingOpener(inPip.toString());
    var locator = new NativeLibraries.Locator(Map.of("NRJ_CUDA_PATH", a + "::" + b), List.of(site), opener);
    assertSame(FOUND, locator.load("libcudnn.so.9"));
    assertEquals(List.of("libcudnn.so.9", inB.toString(), inPip.toString()), opener.attempts);
  }

  @Test
  void findsPipDirectoriesOfEveryNvidiaPackage() throws IOException {
    Path site = tmp.resolve("site-packages");
    Files.createDirectories(site.resolve("nvidia/cublas/lib"));
    Files.createDirectories(site.resolve("nvidia/cu13/lib"));
    Files.createDirectories(site.resolve("nvidia/cudnn/include")); // no lib: not a candidate
    var locator = new NativeLibraries.Locator(Map.of(), List.of(site), new RecordingOpener());
    assertEquals(List.of(site.resolve("nvidia/cu13/lib"), site.resolve("nvidia/cublas/lib")), locator.pipDirs());
  }

  @Test
  void findsSitePackagesOfPythonpathAndTheActiveVirtualenv() throws IOException {
    Path fromPythonpath = Files.createDirectories(tmp.resolve("pp"));
    Path venvSite = Files.createDirectories(tmp.resolve("venv/lib/python3.12/site-packages"));
    Files.createDirectories(tmp.resolve("venv/lib/python3.12/dist-packages-not-a-site"));
    List<Path> sites = NativeLibraries.Locator.defaultSiteDirs(
        Map.of("PYTHONPATH", fromPythonpath + "::" + tmp.resolve("absent"), "VIRTUAL_ENV", tmp.resolve("venv").toString()));
    assertEquals(List.of(fromPythonpath, venvSite), sites.subList(0, 2));
  }

  @Test
  void missingLibraryMessageNamesEveryPlaceLookedIn() {
    Path site = tmp.resolve("site-packages");
    var locator = new NativeLibraries.Locator(Map.of(), List.of(site), new RecordingOpener());
    var e = assertThrows(MissingLibraryException.class, () -> locator.load("libcudnn.so.9"));
    assertEquals("libcudnn.so.9", e.soname());
    assertEquals("missing library libcudnn.so.9 (looked in the system loader path (LD_LIBRARY_PATH, "
        + "/etc/ld.so.cache); NRJ_CUDA_PATH (unset); pip site-packages/nvidia/*/lib (none found under "
        + site + ")). Set NRJ_CUDA_PATH to the directory holding libcudnn.so.9 or install the NVIDIA pip "
        + "wheels (nvidia-cudnn-cu13)", e.getMessage());
  }

  @Test
  void reportsAFileThatExistsButDoesNotLoad() throws IOException {
    Path bad = lib(tmp, "libcublas.so.13");
    var locator = new NativeLibraries.Locator(Map.of("NRJ_CUDA_PATH", tmp.toString()), List.of(),
        name -> {
          if (!name.startsWith("/")) {
            throw new IllegalArgumentException("Cannot open library: " + name);
          }
          return NativeLibraries.Locator.openGlobal(name);
        });
    var e = assertThrows(MissingLibraryException.class, () -> locator.load("libcublas.so.13"));
    assertTrue(e.getMessage().contains("; NRJ_CUDA_PATH " + tmp + "; pip site-packages/nvidia/*/lib (no site-packages found))"), e.getMessage());
    assertTrue(e.getMessage().contains("; could not load " + bad + ": "), e.getMessage());
    assertTrue(e.getMessage().endsWith("(nvidia-cublas)"), e.getMessage());
  }

  @Test
  @EnabledIf("io.nrj.runtime.cuda.GpuSupport#cudartLoads")
  void loadsARealLibraryFromNrjCudaPath() {
    Path dir = Path.of("/usr/local/cuda/lib64");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(dir.resolve("libcudart.so.13")), "no " + dir);
    var opener = new RecordingOpener() {
      @Override
      public SymbolLookup open(String nameOrPath) {
        attempts.add(nameOrPath);
        if (!nameOrPath.startsWith("/")) {
          throw new IllegalArgumentException("pretend the loader path is empty");
        }
        return SymbolLookup.libraryLookup(Path.of(nameOrPath), Arena.global());
      }
    };
    var locator = new NativeLibraries.Locator(Map.of("NRJ_CUDA_PATH", dir.toString()), List.of(), opener);
    assertTrue(locator.load("libcudart.so.13").find("cudaRuntimeGetVersion").isPresent());
    assertEquals(2, opener.attempts.size());
  }
}
