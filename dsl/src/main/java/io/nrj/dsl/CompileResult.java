package io.nrj.dsl;

import io.nrj.dsl.ir.NrModule;
import java.util.List;

/**
 * What {@link NrCompiler} returns: the resolved module when there were no errors (else null), and
 * the diagnostics sorted by location, at most {@link Diagnostics#MAX_ERRORS} errors of them;
 * {@code unshownErrors} counts the errors left out (a note at the end of the list says so).
 */
public record CompileResult(NrModule module, List<Diagnostic> diagnostics, int unshownErrors) {
  public CompileResult {
    diagnostics = List.copyOf(diagnostics);
  }

  public CompileResult(NrModule module, List<Diagnostic> diagnostics) {
    this(module, diagnostics, 0);
  }

  public boolean ok() {
    return module != null;
  }

  /** Every error found: those listed and those left out. */
  public int errorCount() {
    return unshownErrors + (int) diagnostics.stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR).count();
  }
}
