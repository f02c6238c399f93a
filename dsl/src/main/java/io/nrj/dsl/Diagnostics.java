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

  /** Every diagnostic, sorted by line then column (stable for equal positions). */
  public List<Diagnostic> sorted() {
    List<Diagnostic> copy = new ArrayList<>(items);
    copy.sort(
        Comparator.comparingInt((Diagnostic d) -> d.location().line())
            .thenComparingInt(d -> d.location().column()));
    return List.copyOf(copy);
  }
}
