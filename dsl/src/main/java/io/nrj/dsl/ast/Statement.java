package io.nrj.dsl.ast;

import io.nrj.dsl.SourceLocation;
import java.util.List;

/** A layer statement in a network or block body. {@code label} is null when none was written. */
public sealed interface Statement extends Node {
  Label label();

  /** {@code conv WIDTH options}. */
  record Conv(Label label, Expression width, List<Option> options, SourceLocation location) implements Statement {
    public Conv {
      options = List.copyOf(options);
    }
  }

  /** {@code maxpool K options} or {@code avgpool K options}. */
  record Pool(Label label, boolean max, Expression window, List<Option> options, SourceLocation location)
      implements Statement {
    public Pool {
      options = List.copyOf(options);
    }
  }

  /** {@code relu [from X]}. */
  record Relu(Label label, Reference source, SourceLocation location) implements Statement {}

  /**
   * {@code residual [project] { branch } [shortcut { layers }]}: a residual sum of the branch and
   * the shortcut (identity, the given layers, or with {@code project} a 1x1 projection when the
   * shapes differ). {@code shortcut} is null when not written.
   */
  record Residual(
      Label label, boolean project, List<Statement> branch, List<Statement> shortcut, SourceLocation location)
      implements Statement {
    public Residual {
      branch = List.copyOf(branch);
      shortcut = shortcut == null ? null : List.copyOf(shortcut);
    }
  }

  /** {@code dense { branch }}: concatenation of the input (first) and the branch's output. */
  record Dense(Label label, List<Statement> branch, SourceLocation location) implements Statement {
    public Dense {
      branch = List.copyOf(branch);
    }
  }

  /** {@code repeat N { body }}. */
  record Repeat(Label label, Expression count, List<Statement> body, SourceLocation location) implements Statement {
    public Repeat {
      body = List.copyOf(body);
    }
  }

  /** {@code add A, B} or {@code concat A, B}: explicit joins of named layers. */
  record Join(Label label, boolean add, List<Reference> inputs, SourceLocation location) implements Statement {
    public Join {
      inputs = List.copyOf(inputs);
    }
  }

  /** {@code classifier [from X]}. */
  record Classifier(Label label, Reference source, SourceLocation location) implements Statement {}

  /** {@code NAME(args)}: a block call. */
  record Call(Label label, Identifier block, List<Argument> arguments, SourceLocation location) implements Statement {
    public Call {
      arguments = List.copyOf(arguments);
    }
  }

  /** A conv or pool option: {@code k3}, {@code stride 2}, {@code norelu}, {@code from X}... */
  record Option(OptionKind kind, Expression value, Reference source, SourceLocation location) implements Node {}

  enum OptionKind {
    KERNEL("kernel"),
    STRIDE("stride"),
    PAD("pad"),
    NORELU("norelu"),
    INPUT("input"),
    FIXED("fixed"),
    SPLIT("split"),
    FROM("from");

    private final String keyword;

    OptionKind(String keyword) {
      this.keyword = keyword;
    }

    public String keyword() {
      return keyword;
    }
  }

  /** A call argument, positional ({@code name} null) or named. */
  record Argument(Identifier name, Expression value, SourceLocation location) implements Node {}
}
