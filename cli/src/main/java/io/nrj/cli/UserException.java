package io.nrj.cli;

/** A problem with what the user asked for (not a bug): printed as one line, exit status 1. */
final class UserException extends RuntimeException {
  UserException(String message) {
    super(message);
  }
}
