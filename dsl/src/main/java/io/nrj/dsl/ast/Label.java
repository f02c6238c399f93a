package io.nrj.dsl.ast;

import io.nrj.dsl.SourceLocation;

/** {@code name:} in front of a layer: a name segment, or a full dotted module path. */
public record Label(String name, SourceLocation location) implements Node {}
