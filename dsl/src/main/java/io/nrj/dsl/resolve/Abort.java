package io.nrj.dsl.resolve;

/**
 * Stops resolving the current network after an error was reported, so that one mistake does not
 * cascade into dozens of follow-on errors (like AutoValue's AbortProcessingException). The other
 * definitions of the file are still checked.
 */
final class Abort extends RuntimeException {
  Abort() {
    super(null, null, false, false);
  }
}
