package io.nrj.dsl;

/** Counts in messages: "1 epoch", "2 epochs", "1 channel", "0 errors". English nouns with a plain -s plural only. */
public final class Plural {
  private Plural() {}

  /** {@code n} and {@code noun}, with an "s" unless {@code n} is 1. */
  public static String of(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
