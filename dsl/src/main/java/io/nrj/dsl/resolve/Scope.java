package io.nrj.dsl.resolve;

import io.nrj.dsl.ast.Label;

/**
 * The naming context of one sequence of layers (see {@link NetworkResolver} for the rules): the
 * path prefix for unlabelled layers (their index) and for labelled ones, and the running index.
 */
final class Scope {
  private final String indexPrefix;
  private final String labelPrefix;
  private int counter;

  Scope(String indexPrefix, String labelPrefix) {
    this.indexPrefix = indexPrefix;
    this.labelPrefix = labelPrefix;
  }

  String next(Label label) {
    String segment = label != null ? label.name() : Integer.toString(counter);
    String prefix = label != null ? labelPrefix : indexPrefix;
    counter++;
    return prefix.isEmpty() ? segment : prefix + "." + segment;
  }

  Scope child(String path) {
    return new Scope(path, path);
  }
}
