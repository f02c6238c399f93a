package io.nrj.runtime.cuda;

import static io.nrj.runtime.bindings.cudart_h.cudaLaunchKernel;
import static io.nrj.runtime.bindings.cudart_h.cudaLibraryGetKernel;
import static io.nrj.runtime.bindings.cudart_h.cudaLibraryLoadData;
import static io.nrj.runtime.bindings.cudart_h.cudaLibraryUnload;
import static io.nrj.runtime.bindings.nvrtc_h.C_LONG_LONG;
import static io.nrj.runtime.bindings.nvrtc_h.nvrtcCompileProgram;
import static io.nrj.runtime.bindings.nvrtc_h.nvrtcCreateProgram;
import static io.nrj.runtime.bindings.nvrtc_h.nvrtcDestroyProgram;
import static io.nrj.runtime.bindings.nvrtc_h.nvrtcGetCUBIN;
import static io.nrj.runtime.bindings.nvrtc_h.nvrtcGetCUBINSize;
import static io.nrj.runtime.bindings.nvrtc_h.nvrtcGetProgramLog;
import static io.nrj.runtime.bindings.nvrtc_h.nvrtcGetProgramLogSize;
import static io.nrj.runtime.cuda.Cuda.check;

import io.nrj.runtime.bindings.cudart_h.dim3;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The backend's own kernels ({@code kernels.cu}, a resource next to this class), compiled by
 * NVRTC to a cubin for the device's architecture once per backend, loaded with {@code
 * cudaLibraryLoadData}, and launched with {@code cudaLaunchKernel} (which accepts the {@code
 * cudaKernel_t} handles). Compiling takes a second or so; that is why it happens once.
 */
final class Kernels implements AutoCloseable {
  static final String SOURCE = "kernels.cu";
  static final int BLOCK = 256;

  /** Parameter types of every kernel in {@link #SOURCE}, checked on each launch. */
  static final KernelSignatures SIGNATURES = KernelSignatures.parse(source());

  private final NativeHandle library;
  private final Map<String, MemorySegment> kernels = new HashMap<>();
  private final int maxBlocks;

  private Kernels(NativeHandle library, int multiprocessors) {
    this.library = library;
    this.maxBlocks = Math.max(1, multiprocessors) * 32;
  }

  /** The CUDA C source shipped with the backend. */
  static String source() {
    try (InputStream in = Kernels.class.getResourceAsStream(SOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + SOURCE + " missing next to " + Kernels.class.getName());
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Compiles {@link #source()} for compute capability {@code major.minor} and loads it. */
  static Kernels compile(int major, int minor, int multiprocessors) {
    byte[] cubin = nvrtcCompile(source(), List.of("--gpu-architecture=sm_" + major + minor, "-std=c++17"));
    try (var arena = Arena.ofConfined()) {
      var code = arena.allocate(cubin.length);
      code.copyFrom(MemorySegment.ofArray(cubin));
      NativeHandle library = NativeHandle.create("cudaLibraryLoadData",
          out -> cudaLibraryLoadData(out, code, MemorySegment.NULL, MemorySegment.NULL, 0,
              MemorySegment.NULL, MemorySegment.NULL, 0),
          Cuda::check, "cudaLibraryUnload", h -> cudaLibraryUnload(h));
      return new Kernels(library, multiprocessors);
    }
  }

  /** NVRTC's cubin of {@code source}; a compile error throws with the program log. No device needed. */
  static byte[] nvrtcCompile(String source, List<String> options) {
    try (var arena = Arena.ofConfined()) {
      var prog = arena.allocate(ValueLayout.ADDRESS);
      Nvrtc.check(nvrtcCreateProgram(prog, arena.allocateFrom(source), arena.allocateFrom(SOURCE), 0,
          MemorySegment.NULL, MemorySegment.NULL), "nvrtcCreateProgram");
      MemorySegment program = prog.get(ValueLayout.ADDRESS, 0);
      try {
        var opts = arena.allocate(ValueLayout.ADDRESS, options.size());
        for (int i = 0; i < options.size(); i++) {
          opts.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(options.get(i)));
        }
        int status = nvrtcCompileProgram(program, options.size(), opts);
        Nvrtc.check(status, "nvrtcCompileProgram(" + SOURCE + ", " + String.join(" ", options) + ")",
            status == 0 ? "" : log(arena, program));
        var size = arena.allocate(C_LONG_LONG);
        Nvrtc.check(nvrtcGetCUBINSize(program, size), "nvrtcGetCUBINSize");
        var cubin = arena.allocate(size.get(C_LONG_LONG, 0));
        Nvrtc.check(nvrtcGetCUBIN(program, cubin), "nvrtcGetCUBIN");
        return cubin.toArray(ValueLayout.JAVA_BYTE);
      } finally {
        nvrtcDestroyProgram(prog);
      }
    }
  }

  private static String log(Arena arena, MemorySegment program) {
    var size = arena.allocate(C_LONG_LONG);
    if (nvrtcGetProgramLogSize(program, size) != 0) {
      return "";
    }
    var log = arena.allocate(Math.max(1, size.get(C_LONG_LONG, 0)));
    return nvrtcGetProgramLog(program, log) == 0 ? log.getString(0) : "";
  }

  private MemorySegment kernel(String name) {
    return kernels.computeIfAbsent(name, n -> {
      try (var arena = Arena.ofConfined()) {
        var out = arena.allocate(ValueLayout.ADDRESS);
        check(cudaLibraryGetKernel(out, library.get(), arena.allocateFrom(n)), "cudaLibraryGetKernel(" + n + ")");
        return out.get(ValueLayout.ADDRESS, 0);
      }
    });
  }

  /**
   * Launches {@code name} over {@code work} items with a grid-stride grid (at most 32 blocks per
   * SM). Arguments are device pointers ({@link MemorySegment}), {@link Integer}, {@link Long} or
   * {@link Float}, in the kernel's parameter order.
   */
  void launch(String name, MemorySegment stream, long work, Object... args) {
    try (var arena = Arena.ofConfined()) {
      Launch launch = pack(arena, name, work, maxBlocks, args);
      if (launch.blocks() == 0) {
        return; // an empty grid is a launch error in CUDA
      }
      var grid = dim3.allocate(arena);
      dim3.x(grid, launch.blocks());
      dim3.y(grid, 1);
      dim3.z(grid, 1);
      var block = dim3.allocate(arena);
      dim3.x(block, BLOCK);
      dim3.y(block, 1);
      dim3.z(block, 1);
      check(cudaLaunchKernel(kernel(name), grid, block, launch.argv(), 0, stream), "cudaLaunchKernel(" + name + ")");
    }
  }

  /**
   * One launch as {@code cudaLaunchKernel} takes it: a 1-D grid of {@code blocks} blocks of
   * {@link #BLOCK} threads, and {@code argv}, an array of pointers each to one argument's value
   * ({@code void**}). {@code blocks} is 0 when there is no work (and then nothing may be launched).
   */
  record Launch(int blocks, MemorySegment argv) {}

  /**
   * Checks {@code args} against {@code name}'s signature and packs them, in {@code arena}, for a
   * grid-stride launch over {@code work} items: {@code min(maxBlocks, ceil(work / BLOCK))} blocks.
   * The host emulation test launches the kernels through this same method.
   */
  static Launch pack(Arena arena, String name, long work, int maxBlocks, Object... args) {
    SIGNATURES.check(name, args);
    if (work <= 0) {
      return new Launch(0, MemorySegment.NULL);
    }
    long blocks = Math.min(maxBlocks, (work + BLOCK - 1) / BLOCK);
    var argv = arena.allocate(ValueLayout.ADDRESS, args.length);
    for (int i = 0; i < args.length; i++) {
      argv.setAtIndex(ValueLayout.ADDRESS, i, box(arena, args[i], name, i));
    }
    return new Launch((int) blocks, argv);
  }

  private static MemorySegment box(Arena arena, Object arg, String kernel, int index) {
    return switch (arg) {
      case MemorySegment pointer -> {
        var cell = arena.allocate(ValueLayout.ADDRESS);
        cell.set(ValueLayout.ADDRESS, 0, pointer);
        yield cell;
      }
      case Integer i -> arena.allocateFrom(ValueLayout.JAVA_INT, i);
      case Long l -> arena.allocateFrom(ValueLayout.JAVA_LONG, l);
      case Float f -> arena.allocateFrom(ValueLayout.JAVA_FLOAT, f);
      default -> throw new IllegalArgumentException(
          "argument " + index + " of " + kernel + " has unsupported type " + arg.getClass());
    };
  }

  @Override
  public void close() {
    library.close();
  }
}
