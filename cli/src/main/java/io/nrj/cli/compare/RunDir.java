package io.nrj.cli.compare;

import io.nrj.runtime.io.AtomicFiles;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/**
 * One run's directory under the comparison's output: {@code spec.nr} (what it trains), {@code
 * train.log} (the training's output), what {@code nrj train} writes ({@code metrics.csv}, {@code
 * checkpoint.safetensors}, ...) and {@code run.properties}, written when a training process ends:
 * whether the run finished, and its wall time summed over the processes that ran it (a process
 * killed together with {@code nrj compare} is not counted). A later {@code nrj compare} into the
 * same output reuses a finished run and resumes an unfinished one from its checkpoint, but never a
 * run of another spec.
 */
public record RunDir(Path dir, Arm arm, long seed) {
  static final String SPEC = "spec.nr";
  static final String DONE = "run.properties";
  static final String CHECKPOINT = "checkpoint.safetensors";
  static final String METRICS = "metrics.csv";
  static final String LOG = "train.log";

  /** What to do with the directory for a run of {@code spec}. */
  public enum State {
    /** Nothing there yet (or only a spec): train from scratch. */
    FRESH,
    /** An interrupted run of the same spec: resume from its checkpoint. */
    RESUME,
    /** A finished run of the same spec: reuse it. */
    DONE
  }

  /**
   * @throws IllegalArgumentException when the directory holds a run of a different spec
   */
  public State state(String spec) throws IOException {
    Path s = dir.resolve(SPEC);
    if (Files.exists(s) && !Files.readString(s).equals(spec)) {
      throw new IllegalArgumentException(
          dir + " holds a run of a different spec (its " + SPEC + " differs from this comparison's);"
              + " use another --out or remove that directory");
    }
    if (Files.exists(s) && finished() && Files.exists(dir.resolve(METRICS))) return State.DONE;
    if (Files.exists(s) && Files.exists(dir.resolve(CHECKPOINT))) return State.RESUME;
    return State.FRESH;
  }

  /** Prepares a fresh run: the directory emptied of an earlier attempt's files, then the spec. */
  void start(String spec) throws IOException {
    Files.createDirectories(dir);
    for (String f : new String[] {METRICS, CHECKPOINT, LOG, DONE, "metrics.png", "rejuvenation.json", "network.nr"}) {
      Files.deleteIfExists(dir.resolve(f));
    }
    AtomicFiles.writeString(dir.resolve(SPEC), spec);
  }

  public Path spec() {
    return dir.resolve(SPEC);
  }

  public Path metrics() {
    return dir.resolve(METRICS);
  }

  public Path checkpoint() {
    return dir.resolve(CHECKPOINT);
  }

  public Path log() {
    return dir.resolve(LOG);
  }

  /** Records a training process that ran {@code seconds} and ended, finished or not. */
  void ended(double seconds, boolean finished) throws IOException {
    Properties p = new Properties();
    p.setProperty("finished", Boolean.toString(finished));
    p.setProperty("wall_seconds", String.format(Locale.ROOT, "%.1f", wallSeconds() + seconds));
    StringWriter w = new StringWriter();
    p.store(w, "written by nrj compare when a training process of this run ends");
    AtomicFiles.writeString(dir.resolve(DONE), w.toString());
  }

  /** Whether a training process finished this run. */
  public boolean finished() {
    return Boolean.parseBoolean(properties().getProperty("finished", "false"));
  }

  /** Wall time of the training processes recorded so far (0 when none). */
  public double wallSeconds() {
    String v = properties().getProperty("wall_seconds", "0");
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(dir.resolve(DONE) + ": wall_seconds is not a number: '" + v + "'");
    }
  }

  private Properties properties() {
    Properties p = new Properties();
    Path f = dir.resolve(DONE);
    if (!Files.exists(f)) return p;
    try {
      p.load(new StringReader(Files.readString(f)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }
}
