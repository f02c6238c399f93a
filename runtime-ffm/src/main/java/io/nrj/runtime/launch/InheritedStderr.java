package io.nrj.runtime.launch;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Standard error handed over by the launcher scripts ({@code nrj}, {@code scripts/nrj-trainer}).
 *
 * <p>Why: the JVM prints "WARNING: Using incubator modules: jdk.incubator.vector" before {@code
 * main} whenever the Vector API module is added, and no option turns that off. The scripts filter
 * that line out of the JVM's standard error (fd 2), but a filter is another process: what passes
 * through it reaches the terminal or log late, after lines the program printed later on stdout.
 * So the scripts also hand the real standard error over as fd 3 ({@code 3>&2}) and name it in the
 * system property {@code nrj.stderr.fd}; {@link #install} points {@code System.err} at it, with
 * {@code write(2)} on that very descriptor (reopening {@code /dev/fd/3} would give a file a second
 * offset and let stdout overwrite it). Everything nrj prints then arrives in the order printed;
 * only the JVM's own start-up lines go through the filter.
 *
 * <p>Without the property (a plain {@code java} command, tests), nothing changes.
 */
public final class InheritedStderr {
  static final String PROPERTY = "nrj.stderr.fd";

  private static boolean installed;

  private InheritedStderr() {}

  /** Points {@code System.err} at the descriptor the launcher handed over, once; no-op otherwise. */
  public static synchronized void install() {
    String fd = System.getProperty(PROPERTY);
    if (installed || fd == null || !InheritedStderr.class.getModule().isNativeAccessEnabled()) return;
    installed = true;
    FdStream stream;
    try {
      stream = new FdStream(Integer.parseInt(fd.strip()));
    } catch (IOException | RuntimeException e) {
      return; // not an open descriptor: keep the JVM's stderr
    }
    System.setErr(new PrintStream(stream, true, System.err.charset()));
  }

  /** An unbuffered stream over an inherited file descriptor, written with {@code write(2)}. */
  private static final class FdStream extends OutputStream {
    private static final MethodHandle WRITE =
        Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("write").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    private final int fd;

    FdStream(int fd) throws IOException {
      this.fd = fd;
      write(new byte[0], 0, 0); // fails when fd is not open for writing
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment buf = arena.allocate(Math.max(1, len));
        MemorySegment.copy(b, off, buf, ValueLayout.JAVA_BYTE, 0, len);
        long done = 0;
        do {
          long n = (long) WRITE.invokeExact(fd, buf.asSlice(done), (long) len - done);
          if (n < 0) throw new IOException("write to file descriptor " + fd + " failed");
          done += n;
        } while (done < len);
      } catch (IOException | RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IOException(t);
      }
    }
  }
}
