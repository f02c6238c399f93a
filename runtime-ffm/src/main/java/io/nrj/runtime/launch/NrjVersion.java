package io.nrj.runtime.launch;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * The version {@code --version} prints: nrj's Maven version and the git commit it was built from,
 * read from {@code version.properties}, which the build writes next to this class with {@code git}
 * (runtime-ffm/pom.xml). A build outside a git checkout says the commit is unknown instead of
 * failing.
 */
public final class NrjVersion implements IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {line()};
  }

  /** For example {@code nrj 0.1.0-SNAPSHOT (git 8a1865f, 2026-11-28T10:12:03+00:00)}. */
  public static String line() {
    Properties p = new Properties();
    try (InputStream in = NrjVersion.class.getResourceAsStream("version.properties")) {
      if (in != null) p.load(in);
    } catch (IOException e) {
      // reported as unknown below
    }
    String version = p.getProperty("version", "(version unknown)");
    String commit = p.getProperty("commit", "");
    if (commit.isEmpty()) return "nrj " + version + " (git commit unknown: built outside a git checkout)";
    String dirty = Boolean.parseBoolean(p.getProperty("dirty", "false")) ? " with uncommitted changes" : "";
    String time = p.getProperty("commit.time", "");
    return "nrj " + version + " (git " + commit + dirty + (time.isEmpty() ? "" : ", " + time) + ")";
  }
}
