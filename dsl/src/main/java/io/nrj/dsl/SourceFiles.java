package io.nrj.dsl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a {@code .nr} file as UTF-8 text, or says in one positioned, coded diagnostic why it cannot
 * (NR-DSL-001 to 005): no such file, a directory, no permission, a byte that is not UTF-8 (at its
 * line and column), another I/O error (its reason, without Java's exception names).
 */
public final class SourceFiles {
  private SourceFiles() {}

  /** The file cannot be used as a source; {@link #diagnostic()} says why. */
  public static final class UnreadableException extends Exception {
    private final transient Diagnostic diagnostic;

    public UnreadableException(Diagnostic diagnostic) {
      super(diagnostic.format(), null, false, false);
      this.diagnostic = diagnostic;
    }

    public Diagnostic diagnostic() {
      return diagnostic;
    }
  }

  /** The file's text; {@code file} as given names it in the diagnostic. */
  public static String read(Path file) throws UnreadableException {
    String name = file.toString();
    SourceLocation whole = SourceLocation.wholeFile(name);
    if (Files.isDirectory(file)) throw new UnreadableException(Message.IS_A_DIRECTORY.at(whole));
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new UnreadableException(Message.NO_SUCH_FILE.at(whole));
    } catch (AccessDeniedException e) {
      throw new UnreadableException(Message.PERMISSION_DENIED.at(whole));
    } catch (IOException e) {
      String reason = e.getMessage() == null ? "input/output error" : e.getMessage();
      throw new UnreadableException(Message.UNREADABLE.at(whole, reason));
    }
    return decode(name, bytes);
  }

  /** Strict UTF-8; the first bad byte is reported at its line and column (columns count characters). */
  static String decode(String name, byte[] bytes) throws UnreadableException {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    CoderResult r = decoder.decode(in, out, true);
    if (r.isError()) {
      int at = in.position();
      int lineStart = at;
      while (lineStart > 0 && bytes[lineStart - 1] != '\n') lineStart--;
      int line = 1;
      for (int i = 0; i < lineStart; i++) if (bytes[i] == '\n') line++;
      String before = new String(bytes, lineStart, at - lineStart, StandardCharsets.UTF_8);
      int column = before.codePointCount(0, before.length()) + 1;
      throw new UnreadableException(Message.NOT_UTF8.at(new SourceLocation(name, line, column), bytes[at] & 0xff));
    }
    decoder.flush(out);
    return out.flip().toString();
  }
}
