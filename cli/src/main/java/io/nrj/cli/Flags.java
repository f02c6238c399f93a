package io.nrj.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of one command line: {@code --name value} pairs, {@code --switch}es and positional
 * arguments. Unknown options, missing values and malformed numbers are usage errors (exit 2).
 */
final class Flags {
  /** A usage error: the command prints it with its usage line and exits 2. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  private final String command;
  private final Map<String, String> values = new HashMap<>();
  private final List<String> positional = new ArrayList<>();

  private Flags(String command) {
    this.command = command;
  }

  /**
   * @param valued options that take a value (with the leading dashes)
   * @param switches options without a value
   */
  static Flags parse(String command, String[] args, Set<String> valued, Set<String> switches) throws UsageException {
    Flags f = new Flags(command);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String name = a;
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        name = a.substring(0, eq);
        value = a.substring(eq + 1);
      }
      if (valued.contains(name)) {
        if (value == null) {
          if (i + 1 >= args.length) throw new UsageException(name + " needs a value");
          value = args[++i];
        }
        f.values.put(name, value);
      } else if (switches.contains(name) && value == null) {
        f.values.put(name, "true");
      } else if (a.startsWith("--") || (a.startsWith("-") && a.length() > 1)) {
        throw new UsageException("unknown option '" + a + "' for 'nrj " + command + "'");
      } else {
        f.positional.add(a);
      }
    }
    return f;
  }

  List<String> positional() {
    return positional;
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  String get(String name) {
    return values.get(name);
  }

  String get(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  String require(String name) throws UsageException {
    String v = values.get(name);
    if (v == null) throw new UsageException("'nrj " + command + "' needs " + name);
    return v;
  }

  /** A positive integer option, or {@code fallback} when absent. */
  int positiveInt(String name, int fallback) throws UsageException {
    String v = values.get(name);
    if (v == null) return fallback;
    try {
      int n = Integer.parseInt(v);
      if (n > 0) return n;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException(name + " must be a positive integer, got '" + v + "'");
  }

  long longValue(String name, long fallback) throws UsageException {
    String v = values.get(name);
    if (v == null) return fallback;
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new UsageException(name + " must be an integer, got '" + v + "'");
    }
  }
}
