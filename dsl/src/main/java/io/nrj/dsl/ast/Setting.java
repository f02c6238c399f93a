package io.nrj.dsl.ast;

import io.nrj.dsl.SourceLocation;
import java.util.List;

/**
 * One schedule setting as written: a keyword with values and, for {@code rejuvenate},
 * {@code sparsity adaptive} and {@code bn_restore ... mode}, nested settings. Options written on
 * one line ({@code sgd lr 0.1 momentum 0.9}) become one setting each, so duplicates are easy to find.
 */
public record Setting(String keyword, List<Value> values, List<Setting> children, SourceLocation location)
    implements Node {
  public Setting {
    values = List.copyOf(values);
    children = List.copyOf(children);
  }

  /** A setting value: a number or a word. */
  public sealed interface Value extends Node {
    /** A number as written; {@code text} keeps the spelling for messages. */
    record Number(double value, String text, SourceLocation location) implements Value {}

    record Word(String word, SourceLocation location) implements Value {}
  }
}
