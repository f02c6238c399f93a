package io.nrj.runtime.cuda;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  private final Map<String, List<Class<?>>> params;

  private KernelSignatures(Map<String, List<Class<?>>> params) {
    this.params = params;
  }

  static KernelSignatures parse(String source) {
    var params = new HashMap<String, List<Class<?>>>();
    var m = KERNEL.matcher(source);
    while (m.find()) {
      var types = new ArrayList<Class<?>>();
      for (String param : m.group(2).split(",")) {
        String p = param.strip().replaceAll("\\s+", " ");
        if (p.isEmpty()) {
          continue;
        }
        types.add(javaType(m.group(1), p));
      }
      params.put(m.group(1), List.copyOf(types));
    }
    return new KernelSignatures(params);
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

  /** The kernels found, by name. */
  Map<String, List<Class<?>>> all() {
    return params;
  }

  /** Throws {@link IllegalArgumentException} unless {@code args} fit {@code kernel}'s parameters. */
  void check(String kernel, Object... args) {
    List<Class<?>> types = params.get(kernel);
    if (types == null) {
      throw new IllegalArgumentException("no kernel " + kernel + " in " + Kernels.SOURCE);
    }
    if (types.size() != args.length) {
      throw new IllegalArgumentException(kernel + " takes " + types.size() + " arguments, got " + args.length);
    }
    for (int i = 0; i < args.length; i++) {
      if (!types.get(i).isInstance(args[i])) {
        throw new IllegalArgumentException(kernel + " argument " + i + " must be a " + types.get(i).getSimpleName()
            + ", got " + (args[i] == null ? "null" : args[i].getClass().getSimpleName()));
      }
    }
  }
}
