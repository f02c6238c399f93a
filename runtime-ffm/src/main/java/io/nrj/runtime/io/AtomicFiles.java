package io.nrj.runtime.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Writes a file so that readers see either the old content or the complete new content, never a
 * half-written file: the body goes to a temporary file in the target's directory, which is forced
 * to disk and then renamed over the target (atomic on POSIX file systems). On any failure the
 * temporary file is deleted and an existing target is left as it was. The file gets the mode any
 * new file gets (0666 less the umask: 0644 under the usual 022), not a temporary file's 0600.
 *
 * <p>Not a locking mechanism: two concurrent writers of one target each succeed, the last rename
 * wins.
 */
public final class AtomicFiles {
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  private AtomicFiles() {}

  /** Writes the content of a file to an open channel. */
  @FunctionalInterface
  public interface Body {
    void writeTo(FileChannel out) throws IOException;
  }

  /**
   * Writes {@code target} atomically.
   *
   * @throws NoSuchFileException when the target's directory does not exist
   * @throws IOException when writing, forcing or renaming fails; nothing is left behind
   */
  public static void write(Path target, Body body) throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    if (!Files.isDirectory(dir)) throw new NoSuchFileException(dir.toString(), null, "directory does not exist");
    // A dot-prefixed temporary name in the same directory: the rename stays on one file system.
    // .TARGET.DIGITS.tmp: removeStale() knows this pattern.
    Path tmp = null;
    FileChannel channel = null;
    while (channel == null) {
      tmp = dir.resolve("." + abs.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong()) + ".tmp");
      try {
        // CREATE_NEW with no attributes: the mode is 0666 less the umask (0644 usually), as for any
        // file a program writes; Files.createTempFile would make it 0600.
        channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (FileAlreadyExistsException e) {
        // another writer's name: draw again
      }
    }
    boolean done = false;
    try {
      try (FileChannel ch = channel) {
        body.writeTo(ch);
        ch.force(true);
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
      done = true;
      forceDirectory(dir);
    } finally {
      if (!done) Files.deleteIfExists(tmp);
    }
  }

  /**
   * Removes the temporary files that interrupted writes (a kill, a crash, a power cut) of the given
   * targets left in {@code dir}: only names of this class's own pattern, {@code .TARGET.DIGITS.tmp}
   * for a TARGET listed. The targets themselves are never touched: a rename either happened or did
   * not, so they are whole. Not safe while another process writes the same targets in {@code dir}.
   *
   * @return the files removed, in name order (empty when {@code dir} does not exist)
   */
  public static List<Path> removeStale(Path dir, Collection<String> targets) throws IOException {
    if (!Files.isDirectory(dir)) return List.of();
    List<Path> removed = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        for (String target : targets) {
          if (temporaryOf(target).matcher(name).matches() && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(f);
            removed.add(f);
            break;
          }
        }
      }
    }
    removed.sort(null);
    return removed;
  }

  // write() names its temporary file "." + target + "." + an unsigned random long + ".tmp".
  private static Pattern temporaryOf(String target) {
    return Pattern.compile("\\." + Pattern.quote(target) + "\\.[0-9]+\\.tmp");
  }

  /** Writes a UTF-8 string atomically. */
  public static void writeString(Path target, String content) throws IOException {
    byte[] bytes = content.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    write(target, ch -> writeFully(ch, java.nio.ByteBuffer.wrap(bytes)));
  }

  /** Writes all remaining bytes of {@code buf}. */
  public static void writeFully(FileChannel ch, java.nio.ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) ch.write(buf);
  }

  // Makes the rename itself durable. Some platforms cannot open a directory; the file content is
  // already on disk then, so this is best effort.
  private static void forceDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // best effort
    }
  }
}
