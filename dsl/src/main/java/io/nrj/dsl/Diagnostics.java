package io.nrj.dsl;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Collects diagnostics instead of throwing at the first one (modelled on Dagger's
 * ValidationReport, flattened). Callers report into it and read the sorted list at the end.
 */
public final class Diagnostics {
  /**
   * Most errors reported per file. Past it the report says how many more there are (or that it
   * stopped looking), so that a file of 100,000 broken lines gives a short answer quickly.
   */
  public static final int MAX_ERRORS = 100;

  private final List<Diagnostic> items = new ArrayList<>();

  public void add(Diagnostic d) {
    items.add(d);
  }

  public void report(Message message, SourceLocation location, Object... args) {
    items.add(message.at(location, args));
  }

  public void reportWithHelp(Message message, SourceLocation location, String help, Object... args) {
    items.add(message.atWithHelp(location, help, args));
  }

  /**
   * Reports an unknown {@code word} (the message's first argument) with "did you mean" help naming
   * the closest of {@code candidates} (the message help's second argument), or {@code fallbackHelp}.
   */
  public void reportUnknown(
      Message message, SourceLocation location, String word, Collection<String> candidates, String fallbackHelp) {
    String suggestion = Suggestions.closest(word, candidates);
    items.add(message.atWithHelp(location, suggestion == null ? fallbackHelp : message.help(word, suggestion), word));
  }

  public boolean hasErrors() {
    return items.stream().anyMatch(d -> d.severity() == Diagnostic.Severity.ERROR);
  }

  public int errorCount() {
    return (int) items.stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR).count();
  }

  /**
   * The sorted diagnostics with at most {@link #MAX_ERRORS} errors: past them, one note at the
   * first error left out says how many more there are.
   */
  public Capped capped() {
    List<Diagnostic> all = sorted();
    List<Diagnostic> shown = new ArrayList<>();
    int errors = 0;
    int more = 0;
    Diagnostic firstHidden = null;
    for (Diagnostic d : all) {
      boolean error = d.severity() == Diagnostic.Severity.ERROR;
      if (errors < MAX_ERRORS || (!error && firstHidden == null)) {
        shown.add(d);
        if (error) errors++;
      } else if (error) {
        if (firstHidden == null) firstHidden = d;
        more++;
      }
    }
    if (firstHidden != null) shown.add(Message.MORE_ERRORS.at(firstHidden.location(), more, MAX_ERRORS));
    return new Capped(List.copyOf(shown), more);
  }

  /** What {@link #capped()} gives: the diagnostics to show, and how many errors were left out. */
  public record Capped(List<Diagnostic> shown, int unshownErrors) {}

  /** Every diagnostic, sorted by line then column (stable for equal positions). */
  public List<Diagnostic> sorted() {
    List<Diagnostic> copy = new ArrayList<>(items);
    copy.sort(
        Comparator.comparingInt((Diagnostic d) -> d.location().line())
            .thenComparingInt(d -> d.location().column()));
    return List.copyOf(copy);
  }
}
