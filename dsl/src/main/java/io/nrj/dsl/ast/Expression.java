package io.nrj.dsl.ast;

import io.nrj.dsl.SourceLocation;

/** An integer expression in a network or block: literals, parameters, {@code channels}, + - * / %. */
public sealed interface Expression extends Node {
  record IntLiteral(String text, SourceLocation location) implements Expression {}

  record Variable(String name, SourceLocation location) implements Expression {}

  /** {@code channels}: the channel count of the current input at this point of the network. */
  record InputChannels(SourceLocation location) implements Expression {}

  record Unary(char operator, Expression operand, SourceLocation location) implements Expression {}

  record Binary(char operator, Expression left, Expression right, SourceLocation location) implements Expression {}
}
