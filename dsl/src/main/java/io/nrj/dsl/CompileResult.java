package io.nrj.dsl;

import io.nrj.dsl.ir.NrModule;
import java.util.List;

/**
 * What {@link NrCompiler} returns: the resolved module when there were no errors (else null), and
 * every diagnostic sorted by location.
 */
public record CompileResult(NrModule module, List<Diagnostic> diagnostics) {
  public CompileResult {
    diagnostics = List.copyOf(diagnostics);
  }

  public boolean ok() {
    return module != null;
  }
}
