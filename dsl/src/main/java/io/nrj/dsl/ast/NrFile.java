package io.nrj.dsl.ast;

import io.nrj.dsl.SourceLocation;
import java.util.List;

/** A whole {@code .nr} file: its definitions in source order. */
public record NrFile(List<Definition> definitions, SourceLocation location) implements Node {
  public NrFile {
    definitions = List.copyOf(definitions);
  }
}
