package io.nrj.dsl.resolve;

import io.nrj.dsl.Diagnostics;
import io.nrj.dsl.Message;
import io.nrj.dsl.SourceLocation;

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
  /**
   * Deepest chain of block calls (b1 calls b2 calls b3 ...). Each level is a few Java frames of
   * recursion; the parser bounds textual nesting the same way (NestingGuard).
   */
  static final int MAX_CALL_DEPTH = 64;

  /** Checks {@code 1 <= value <= max} (reporting {@code what} at {@code at} and aborting if not) and narrows it. */
  static int size(Diagnostics diagnostics, long value, String what, long max, SourceLocation at) {
    if (value < 1) {
      diagnostics.report(Message.NON_POSITIVE_SIZE, at, what, 1, value);
      throw new Abort();
    }
    if (value > max) {
      diagnostics.report(Message.VALUE_TOO_LARGE, at, what, max, Long.toString(value));
      throw new Abort();
    }
    return (int) value;
  }
}
