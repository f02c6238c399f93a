package io.nrj.runtime.train;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Whether standard output is a terminal, and how wide it is: the choice between the live progress
 * line (redrawn in place) and plain periodic lines that keep a log readable.
 *
 * <p>{@code isatty(1)} and {@code ioctl(TIOCGWINSZ)} answer for stdout itself. Where native access
 * is not enabled (a plain {@code java} command without {@code --enable-native-access}), {@link
 * java.io.Console#isTerminal()} is asked instead: it needs stdin to be a terminal too, so a run with
 * redirected input then gets plain lines, which is the safe side.
 */
public final class Terminal {
  private static final int STDOUT = 1;
  private static final long TIOCGWINSZ = 0x5413; // Linux

  private Terminal() {}

  /** True when stdout is an interactive terminal. */
  public static boolean stdoutIsTerminal() {
    if (Native.AVAILABLE) {
      try {
        return (int) Native.ISATTY.invokeExact(STDOUT) == 1;
      } catch (Throwable t) {
        // fall through to the Console
      }
    }
    java.io.Console c = System.console();
    return c != null && c.isTerminal();
  }

  /** The terminal's width in columns: the kernel's answer, else {@code $COLUMNS}, else 80. */
  public static int columns() {
    if (Native.AVAILABLE) {
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment ws = arena.allocate(8); // struct winsize { rows, cols, xpixel, ypixel } (unsigned short)
        if ((int) Native.IOCTL.invokeExact(STDOUT, TIOCGWINSZ, ws) == 0) {
          int cols = Short.toUnsignedInt(ws.get(ValueLayout.JAVA_SHORT, 2));
          if (cols > 0) return cols;
        }
      } catch (Throwable t) {
        // fall through
      }
    }
    try {
      int cols = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", ""));
      if (cols > 0) return cols;
    } catch (NumberFormatException e) {
      // default below
    }
    return 80;
  }

  /** The libc functions, bound only where native access is enabled (no warning otherwise). */
  private static final class Native {
    static final boolean AVAILABLE = Terminal.class.getModule().isNativeAccessEnabled();
    static final MethodHandle ISATTY = AVAILABLE ? bind("isatty", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)) : null;
    static final MethodHandle IOCTL =
        AVAILABLE
            ? Linker.nativeLinker().downcallHandle(
                Linker.nativeLinker().defaultLookup().find("ioctl").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
                Linker.Option.firstVariadicArg(2))
            : null;

    private static MethodHandle bind(String name, FunctionDescriptor d) {
      return Linker.nativeLinker().downcallHandle(Linker.nativeLinker().defaultLookup().find(name).orElseThrow(), d);
    }
  }
}
