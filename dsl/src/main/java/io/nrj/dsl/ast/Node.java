package io.nrj.dsl.ast;

import io.nrj.dsl.SourceLocation;

/**
 * A node of the {@code .nr} abstract syntax tree: an immutable record with the place it came from.
 * The AST is what was written, unresolved: block calls, repeats and expressions are still there;
 * the {@code Resolver} turns it into IR.
 */
public sealed interface Node
    permits NrFile,
        Identifier,
        Label,
        Reference,
        Definition,
        Definition.Parameter,
        NetworkSetting,
        Statement,
        Statement.Option,
        Statement.Argument,
        Expression,
        Setting,
        Setting.Value {
  SourceLocation location();
}
