package io.nrj.runtime.cuda;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.regex.Pattern;

/**
 * The parameter types of every kernel in {@code kernels.cu}, read from the source itself, so a
 * launch whose Java arguments do not match the C signature fails with a message naming the kernel
 * and parameter instead of the GPU reading garbage ({@code cudaLaunchKernel} copies raw bytes and
 * cannot check). Pointers take a {@link MemorySegment}, {@code int} an {@link Integer}, {@code
 * long long} a {@link Long}, {@code float} a {@link Float}.
 */
final class KernelSignatures {
  private static final Pattern KERNEL =
      Pattern.compile("extern \"C\" __global__ void (\\w+)\\(([^)]*)\\)");
  private static final Pattern DECLARATION = Pattern.compile("(.*?)\\s*\\b(\\w+)$");

  /**
   * One kernel parameter: its C type as written ({@code const float*}, {@code long long}), its
   * name, and the Java type a launch passes for it.
   */
  record Param(String cType, String name, Class<?> javaType) {}

  private final SequencedMap<String, List<Param>> kernels;

  private KernelSignatures(SequencedMap<String, List<Param>> kernels) {
    this.kernels = kernels;
  }

  static KernelSignatures parse(String source) {
    var kernels = new LinkedHashMap<String, List<Param>>();
    var m = KERNEL.matcher(source);
    while (m.find()) {
      var params = new ArrayList<Param>();
      for (String param : m.group(2).split(",")) {
        String p = param.strip().replaceAll("\\s+", " ");
        if (p.isEmpty()) {
          continue;
        }
        params.add(param(m.group(1), p));
      }
      kernels.put(m.group(1), List.copyOf(params));
    }
    return new KernelSignatures(Collections.unmodifiableSequencedMap(kernels));
  }

  private static Param param(String kernel, String declaration) {
    var d = DECLARATION.matcher(declaration);
    if (!d.matches() || d.group(1).isEmpty()) {
      throw new IllegalArgumentException("kernel " + kernel + ": unsupported parameter '" + declaration + "'");
    }
    return new Param(d.group(1), d.group(2), javaType(kernel, declaration));
  }

  private static Class<?> javaType(String kernel, String param) {
    if (param.contains("*")) {
      return MemorySegment.class;
    } else if (param.startsWith("long long ")) {
      return Long.class;
    } else if (param.startsWith("int ")) {
      return Integer.class;
    } else if (param.startsWith("float ")) {
      return Float.class;
    }
    throw new IllegalArgumentException("kernel " + kernel + ": unsupported parameter '" + param + "'");
  }

  /** The Java argument types of every kernel, by name, in source order. */
  Map<String, List<Class<?>>> all() {
    var all = new LinkedHashMap<String, List<Class<?>>>();
    kernels.forEach((name, params) -> all.put(name, params.stream().<Class<?>>map(Param::javaType).toList()));
    return all;
  }

  /** The parameters of every kernel, by name, in source order. */
  SequencedMap<String, List<Param>> params() {
    return kernels;
  }

  /** Throws {@link IllegalArgumentException} unless {@code args} fit {@code kernel}'s parameters. */
  void check(String kernel, Object... args) {
    List<Param> params = kernels.get(kernel);
    if (params == null) {
      throw new IllegalArgumentException("no kernel " + kernel + " in " + Kernels.SOURCE);
    }
    if (params.size() != args.length) {
      throw new IllegalArgumentException(kernel + " takes " + params.size() + " arguments, got " + args.length);
    }
    for (int i = 0; i < args.length; i++) {
      Class<?> type = params.get(i).javaType();
      if (!type.isInstance(args[i])) {
        throw new IllegalArgumentException(kernel + " argument " + i + " must be a " + type.getSimpleName()
            + ", got " + (args[i] == null ? "null" : args[i].getClass().getSimpleName()));
      }
    }
  }
}
