package io.nrj.dsl.ast;

import io.nrj.dsl.SourceLocation;

/** A reference to an earlier layer by its full name, or to the input image ({@code image}). */
public record Reference(String name, boolean image, SourceLocation location) implements Node {}
