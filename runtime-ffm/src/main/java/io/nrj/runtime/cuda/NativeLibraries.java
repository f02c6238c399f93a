package io.nrj.runtime.cuda;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Finds the GPU libraries (DESIGN.md, "GPU libraries"): by soname through the system loader
 * (LD_LIBRARY_PATH, ld.so.cache), then in the directories of {@code NRJ_CUDA_PATH}
 * (colon-separated), then in pip's layout {@code site-packages/nvidia/}{@code *}{@code /lib}.
 * Libraries stay loaded for the life of the process (global arena). It does not check versions:
 * the soname already pins the major version.
 */
public final class NativeLibraries {
  private static final Map<String, SymbolLookup> LOADED = new ConcurrentHashMap<>();
  private static final Map<String, String> ORIGINS = new ConcurrentHashMap<>();
  private static final Locator SYSTEM = new Locator(System.getenv(), Locator.defaultSiteDirs(System.getenv()),
      Locator::openGlobal);

  private NativeLibraries() {}

  /**
   * The symbols of {@code soname}, loading it on first use.
   *
   * @throws MissingLibraryException naming every place looked in
   */
  public static SymbolLookup lookup(String soname) {
    SymbolLookup found = LOADED.get(soname);
    if (found == null) {
      Loaded loaded = SYSTEM.locate(soname);
      found = loaded.lookup();
      ORIGINS.put(soname, loaded.origin());
      LOADED.put(soname, found);
    }
    return found;
  }

  /**
   * Where {@code soname} was loaded from: its file, or "the system loader path" when the loader
   * found it by name; null when it has not been loaded (see {@link #lookup}).
   */
  public static String origin(String soname) {
    return ORIGINS.get(soname);
  }

  /** A loaded library and where it came from. */
  record Loaded(SymbolLookup lookup, String origin) {}

  /** Opens a library by soname or absolute path; throws IllegalArgumentException when it cannot. */
  @FunctionalInterface
  interface Opener {
    SymbolLookup open(String nameOrPath);
  }

  /** The lookup order, with its environment and file system inputs made explicit for tests. */
  @SuppressWarnings("restricted")
  static final class Locator {
    private final Map<String, String> env;
    private final List<Path> siteDirs;
    private final Opener opener;

    Locator(Map<String, String> env, List<Path> siteDirs, Opener opener) {
      this.env = env;
      this.siteDirs = siteDirs;
      this.opener = opener;
    }

    static SymbolLookup openGlobal(String nameOrPath) {
      return nameOrPath.startsWith("/")
          ? SymbolLookup.libraryLookup(Path.of(nameOrPath), Arena.global())
          : SymbolLookup.libraryLookup(nameOrPath, Arena.global());
    }

    /** The directories given by NRJ_CUDA_PATH, in order. */
    List<Path> cudaPathDirs() {
      String value = env.getOrDefault("NRJ_CUDA_PATH", "");
      return Stream.of(value.split(":")).filter(s -> !s.isBlank()).map(Path::of).toList();
    }

    /** Every existing {@code nvidia/<package>/lib} directory under the known site-packages. */
    List<Path> pipDirs() {
      var dirs = new ArrayList<Path>();
      for (Path site : siteDirs) {
        Path nvidia = site.resolve("nvidia");
        if (!Files.isDirectory(nvidia)) {
          continue;
        }
        try (Stream<Path> packages = Files.list(nvidia)) {
          packages.map(p -> p.resolve("lib")).filter(Files::isDirectory).sorted().forEach(dirs::add);
        } catch (IOException e) {
          // An unreadable site directory is one place less to look; the message lists the rest.
        }
      }
      return dirs;
    }

    /** Tries each place in order; the first that opens wins. */
    SymbolLookup load(String soname) {
      return locate(soname).lookup();
    }

    /** {@link #load}, also saying where the library was found. */
    Loaded locate(String soname) {
      var failures = new ArrayList<String>();
      try {
        return new Loaded(opener.open(soname), "the system loader path");
      } catch (IllegalArgumentException e) {
        // Not on the loader's path: the usual case outside a configured GPU machine.
      }
      var dirs = new ArrayList<Path>(cudaPathDirs());
      dirs.addAll(pipDirs());
      for (Path dir : dirs) {
        Path file = dir.resolve(soname).toAbsolutePath();
        if (!Files.exists(file)) {
          continue;
        }
        try {
          SymbolLookup lookup = opener.open(file.toString());
          if (soname.startsWith("libcudnn.so")) {
            preloadSiblings(dir, "libcudnn_.*\\.so\\.9");
          } else if (soname.startsWith("libnvrtc.so")) {
            preloadSiblings(dir, "libnvrtc-builtins\\.so\\.[0-9.]+");
          }
          return new Loaded(lookup, file.toString());
        } catch (IllegalArgumentException e) {
          failures.add(file + ": " + e.getMessage());
        }
      }
      throw new MissingLibraryException(soname, describe(soname, failures));
    }

    /**
     * libcudnn.so.9 dlopens libcudnn_ops, _cnn, _graph and _engines_* by soname, and libnvrtc.so.13
     * dlopens libnvrtc-builtins.so.13.x when it compiles. Loading them first from the same
     * directory lets those dlopens find the already-loaded objects even when the directory is not
     * on LD_LIBRARY_PATH (NRJ_CUDA_PATH, pip); a failure here is left for the library to report.
     */
    private void preloadSiblings(Path dir, String pattern) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path sub : files.filter(p -> p.getFileName().toString().matches(pattern)).sorted().toList()) {
          try {
            opener.open(sub.toAbsolutePath().toString());
          } catch (IllegalArgumentException e) {
            // cuDNN reports CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED itself, naming the library.
          }
        }
      } catch (IOException e) {
        // As above.
      }
    }

    String describe(String soname, List<String> failures) {
      var places = new ArrayList<String>();
      places.add("the system loader path (LD_LIBRARY_PATH, /etc/ld.so.cache)");
      List<Path> cudaPath = cudaPathDirs();
      places.add(cudaPath.isEmpty() ? "NRJ_CUDA_PATH (unset)" : "NRJ_CUDA_PATH " + join(cudaPath));
      List<Path> pip = pipDirs();
      if (!pip.isEmpty()) {
        places.add("pip " + join(pip));
      } else if (siteDirs.isEmpty()) {
        places.add("pip site-packages/nvidia/*/lib (no site-packages found)");
      } else {
        places.add("pip site-packages/nvidia/*/lib (none found under " + join(siteDirs) + ")");
      }
      var message = new StringBuilder("missing library " + soname + " (looked in " + String.join("; ", places) + ")");
      for (String failure : failures) {
        message.append("; could not load ").append(failure);
      }
      message.append(". Set NRJ_CUDA_PATH to the directory holding ").append(soname)
          .append(" or install the NVIDIA pip wheels (").append(pipPackage(soname)).append(")");
      return message.toString();
    }

    private static String pipPackage(String soname) {
      if (soname.startsWith("libcudnn")) {
        return "nvidia-cudnn-cu13";
      } else if (soname.startsWith("libcublas")) {
        return "nvidia-cublas";
      } else if (soname.startsWith("libnvrtc")) {
        return "nvidia-cuda-nvrtc";
      }
      return "nvidia-cuda-runtime";
    }

    private static String join(List<Path> paths) {
      return String.join(":", paths.stream().map(Path::toString).toList());
    }

    /**
     * Where pip puts packages: PYTHONPATH, an active virtualenv or conda env, the user's
     * site-packages and the system's, for every python3.x found.
     */
    static List<Path> defaultSiteDirs(Map<String, String> env) {
      var roots = new LinkedHashSet<Path>();
      for (String entry : env.getOrDefault("PYTHONPATH", "").split(":")) {
        if (!entry.isBlank()) {
          roots.add(Path.of(entry));
        }
      }
      var prefixes = new ArrayList<Path>();
      for (String key : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
        if (env.get(key) != null && !env.get(key).isBlank()) {
          prefixes.add(Path.of(env.get(key), "lib"));
        }
      }
      if (env.get("HOME") != null) {
        prefixes.add(Path.of(env.get("HOME"), ".local", "lib"));
      }
      prefixes.add(Path.of("/usr/local/lib"));
      prefixes.add(Path.of("/usr/lib"));
      for (Path prefix : prefixes) {
        try (Stream<Path> pythons = Files.list(prefix)) {
          pythons.filter(p -> p.getFileName().toString().startsWith("python3")).sorted().forEach(p -> {
            roots.add(p.resolve("site-packages"));
            roots.add(p.resolve("dist-packages"));
          });
        } catch (IOException e) {
          // No such prefix here.
        }
      }
      return roots.stream().filter(Files::isDirectory).toList();
    }
  }
}
