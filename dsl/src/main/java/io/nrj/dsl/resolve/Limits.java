package io.nrj.dsl.resolve;

/**
 * Hard limits that keep resolution fast and every count inside a long, whatever the input: a
 * mistyped {@code repeat 16000} is reported instead of hanging the compiler.
 */
final class Limits {
  private Limits() {}

  /** Largest channel count, width or class count. */
  static final long MAX_CHANNELS = 1 << 20;
  /** Largest spatial size, kernel, stride or padding. */
  static final long MAX_SPATIAL = 1 << 16;
  /** Most nodes in one network. */
  static final int MAX_NODES = 100_000;
  /** Most statement executions (including repeat iterations) in one network. */
  static final long MAX_STEPS = 2_000_000;
}
