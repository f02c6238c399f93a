package io.nrj.dsl.ast;

import io.nrj.dsl.SourceLocation;

/** A name as written. */
public record Identifier(String value, SourceLocation location) implements Node {
  public Identifier {
    if (value.isEmpty()) throw new IllegalArgumentException("empty identifier");
  }
}
