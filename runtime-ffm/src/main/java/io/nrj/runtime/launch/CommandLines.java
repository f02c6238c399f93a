package io.nrj.runtime.launch;

import io.nrj.runtime.cuda.CudaException;
import io.nrj.runtime.cuda.CudaUnavailableException;
import io.nrj.runtime.cuda.MissingLibraryException;
import io.nrj.runtime.io.InputFileException;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * A picocli {@link CommandLine} set up with DESIGN.md's contract: exit 0 on success; 2 on a usage
 * error, printed as {@code <command>: <problem>}, the command's synopsis and where {@code --help}
 * is; 1 on a user error (bad file, bad data, unusable device), printed as one message without a
 * stack trace; 1 with a stack trace only for a bug ({@code internal error}).
 *
 * <p>Also: no {@code @file} argument expansion (a spec file may start with {@code @}), plain text
 * (no ANSI colours, so logs and tests see the same bytes), and usage headings in lower case as
 * the rest of nrj's messages.
 */
public final class CommandLines {
  private CommandLines() {}

  /**
   * {@code command} (a picocli {@code @Command}) writing to {@code out} and {@code err}.
   *
   * @param userError further exception types that are the user's problem (printed as their
   *     message, exit 1), besides the runtime's own (files, data, devices, bad values)
   */
  public static CommandLine of(Object command, PrintStream out, PrintStream err, Predicate<Throwable> userError) {
    CommandLine cl = new CommandLine(command);
    cl.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
    cl.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    cl.setExpandAtFiles(false);
    cl.setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF));
    cl.setUsageHelpWidth(100);
    headings(cl);
    cl.setParameterExceptionHandler((e, args) -> usageError(e, err));
    cl.setExecutionExceptionHandler((e, line, parsed) -> failure(e, line, err, userError));
    return cl;
  }

  private static void headings(CommandLine cl) {
    var usage = cl.getCommandSpec().usageMessage();
    usage.sortOptions(false); // declaration order (or order = ...): the file and the options it needs first
    usage.sortSynopsis(false);
    usage.synopsisHeading("usage: ");
    usage.commandListHeading("%ncommands:%n");
    usage.optionListHeading("%noptions:%n");
    if (!cl.getCommandSpec().positionalParameters().isEmpty()) usage.parameterListHeading("%narguments:%n");
    for (CommandLine sub : cl.getSubcommands().values()) headings(sub);
  }

  /** A usage error (exit 2): the problem, the synopsis and where the full help is. */
  static int usageError(ParameterException e, PrintStream err) {
    CommandLine cl = e.getCommandLine();
    String name = cl.getCommandSpec().qualifiedName();
    err.println(name + ": " + problem(e));
    Help help = cl.getHelp();
    err.print(help.synopsisHeading() + help.synopsis(help.synopsisHeadingLength()));
    err.println("'" + name + " --help' " + (cl.getSubcommands().isEmpty() ? "lists every option" : "lists the commands"));
    err.flush();
    return cl.getCommandSpec().exitCodeOnInvalidInput();
  }

  /** The problem of a usage error in nrj's words; picocli's own text for rare cases. */
  static String problem(ParameterException e) {
    String name = e.getCommandLine().getCommandSpec().qualifiedName();
    if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String arg = u.getUnmatched().getFirst();
      List<String> hints = u.getSuggestions();
      String hint = hints.isEmpty() ? "" : "; did you mean '" + hints.getFirst() + "'?";
      boolean isCommand = !e.getCommandLine().getSubcommands().isEmpty() && !arg.startsWith("-");
      if (isCommand) return "unknown command '" + arg + "'" + hint;
      if (u.isUnknownOption() || arg.startsWith("-")) return "unknown option '" + arg + "' for '" + name + "'" + hint;
      return "unexpected argument '" + arg + "'";
    }
    List<String> unmatched = e.getCommandLine().getUnmatchedArguments();
    if (e instanceof CommandLine.MissingParameterException && !unmatched.isEmpty()) {
      // picocli checks required options before it complains about unknown ones; the unknown
      // option is the likelier mistake (a misspelt --data, say), so report it first
      return problem(new CommandLine.UnmatchedArgumentException(e.getCommandLine(), unmatched));
    }
    if (e instanceof CommandLine.MissingParameterException m) {
      String text = e.getMessage();
      if (text.startsWith("Missing required parameter for option")) {
        // an option at the end of the line without its value
        return m.getMissing().stream().map(CommandLines::label).collect(Collectors.joining(", ")) + " needs a value";
      }
      List<ArgSpec> missing = m.getMissing();
      List<String> options = missing.stream().filter(ArgSpec::isOption).map(CommandLines::label).toList();
      if (!options.isEmpty()) return "'" + name + "' needs " + String.join(" and ", options);
      ArgSpec p = missing.getFirst();
      String what = p.paramLabel().toLowerCase(Locale.ROOT);
      return "no " + what + (p.isMultiValue() ? "s" : "") + " given";
    }
    String text = e.getMessage();
    return text.isEmpty() ? text : Character.toLowerCase(text.charAt(0)) + text.substring(1);
  }

  private static String label(ArgSpec a) {
    return a instanceof OptionSpec o ? o.longestName() : a.paramLabel();
  }

  /** A failure while running (exit 1): the user's problem as its message, a bug with its trace. */
  static int failure(Exception e, CommandLine line, PrintStream err, Predicate<Throwable> userError) {
    String name = line.getCommandSpec().qualifiedName();
    String message = userMessage(e, userError);
    if (message != null) {
      err.println(name + ": " + message);
    } else {
      err.println(name + ": internal error: " + e);
      e.printStackTrace(err);
    }
    err.flush();
    return 1;
  }

  /**
   * What to tell the user about {@code e}, or null when it is a bug. One message; a device that
   * cannot start lists each problem on its own line.
   */
  public static String userMessage(Throwable e, Predicate<Throwable> userError) {
    return switch (e) {
      case NoSuchFileException x -> x.getFile() + ": no such file";
      case AccessDeniedException x -> x.getFile() + ": permission denied";
      case CudaUnavailableException x ->
          "CUDA unavailable:\n" + x.problems().stream().map(p -> "  " + p + "\n").collect(Collectors.joining())
              + "  ('nrj devices' lists what was found; docs/gpu.md says what to install)";
      case InputFileException x -> x.getMessage();
      case CudaException x -> x.getMessage();
      case MissingLibraryException x -> x.getMessage();
      case IOException x -> x.getMessage();
      case UncheckedIOException x -> x.getMessage();
      case IllegalArgumentException x -> x.getMessage();
      case IllegalStateException x -> x.getMessage();
      default -> userError.test(e) ? e.getMessage() : null;
    };
  }
}
