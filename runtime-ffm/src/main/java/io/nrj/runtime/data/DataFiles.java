package io.nrj.runtime.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Reads whole data files, gunzipping those whose name ends in {@code .gz}, with named errors. */
final class DataFiles {
  private DataFiles() {}

  /** Opens {@code file}, gunzipping when its name ends in {@code .gz}, and reads it whole. */
  static byte[] readAll(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return readAll(file, in, file.getFileName().toString().endsWith(".gz"));
    } catch (NoSuchFileException e) {
      throw new DataException(file, "file does not exist", e);
    } catch (IOException e) {
      throw new DataException(file, "cannot read: " + e.getMessage(), e);
    }
  }

  /** Reads a stream whole; {@code where} names it in errors. */
  static byte[] readAll(Path where, InputStream in, boolean gzip) {
    try {
      if (!gzip) return in.readAllBytes();
      try (InputStream z = new GZIPInputStream(in, 1 << 16)) {
        return z.readAllBytes();
      }
    } catch (EOFException e) {
      throw new DataException(where, "file is truncated (the gzip stream ends early)", e);
    } catch (ZipException e) {
      throw new DataException(where, "not a valid gzip file: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new DataException(where, "cannot read: " + e.getMessage(), e);
    }
  }

  /** {@code dir/name} or {@code dir/name.gz}, whichever exists (plain first); null if neither. */
  static Path plainOrGz(Path dir, String name) {
    Path p = dir.resolve(name);
    if (Files.isRegularFile(p)) return p;
    Path gz = dir.resolve(name + ".gz");
    return Files.isRegularFile(gz) ? gz : null;
  }
}
