package io.nrj.runtime.cuda;

import java.util.List;

/**
 * {@code --device cuda} cannot work here: a library is missing or no device is usable. The
 * message lists every problem found, so one run tells the user everything to fix.
 */
public final class CudaUnavailableException extends RuntimeException {
  private final List<String> problems;

  public CudaUnavailableException(List<String> problems) {
    super("CUDA unavailable: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /** One line per problem, e.g. {@code missing library libcudnn.so.9 (looked in ...)}. */
  public List<String> problems() {
    return problems;
  }
}
