package io.nrj.dsl;

import io.nrj.dsl.Diagnostic.Severity;
import java.util.Locale;

/**
 * The catalogue of every diagnostic the DSL reports: a stable code, a severity, a message format
 * and an optional remedy ({@code help}), both {@link String#format} patterns over the same
 * arguments. Codes are grouped by hundreds: 0xx the file itself and the report's length, 1xx
 * syntax, 2xx names, 3xx shapes and structure, 4xx values, 9xx internal. Codes never change
 * meaning; retired codes are not reused.
 *
 * <p>Text from the input (a word, a character) is shown {@linkplain #visible visibly}: control and
 * bidirectional-override characters as {@code U+XXXX} (so a message cannot reorder or hide what a
 * terminal shows), and pasted blobs cut short.
 */
public enum Message {
  // 0xx: the file as a whole, and the report about it
  NO_SUCH_FILE("NR-DSL-001", "cannot read file: no such file", null),
  IS_A_DIRECTORY("NR-DSL-002", "cannot read file: it is a directory", "give a .nr file"),
  PERMISSION_DENIED("NR-DSL-003", "cannot read file: permission denied", null),
  NOT_UTF8("NR-DSL-004", "not UTF-8 text: byte 0x%02X cannot appear here", "save the file as UTF-8"),
  UNREADABLE("NR-DSL-005", "cannot read file: %s", null),
  MORE_ERRORS("NR-DSL-006", "... and %d more errors", "nrj shows the first %2$d errors of a file; fix these first"),
  STOPPED("NR-DSL-007", "stopped after %d errors; the rest of the file was not checked", "fix these first, then check again"),

  // 1xx: syntax
  SYNTAX_ERROR("NR-DSL-101", "unexpected %s; expected %s", null),
  UNKNOWN_KEYWORD("NR-DSL-102", "unknown keyword '%s'", "did you mean '%2$s'?"),
  BAD_SHAPE_SYNTAX("NR-DSL-103", "unexpected %s; expected a shape", "a shape is written CxHxW without spaces, e.g. 3x32x32"),
  OPTION_WITH_EQUALS("NR-DSL-104", "unexpected '='; options take their value without '='", "write '%s %s'"),
  UNEXPECTED_CHARACTER("NR-DSL-105", "unexpected character '%s'", null),
  UNKNOWN_LAYER_KIND("NR-DSL-106", "unknown layer kind '%s'", "did you mean '%2$s'?"),
  UNKNOWN_OPTION("NR-DSL-107", "unknown %s option '%s'", "%3$s options are: %4$s"),
  NESTING_TOO_DEEP("NR-DSL-108", "nesting deeper than %d levels (parentheses, braces and signs)", "move the inner part into a block, or simplify the expression"),
  EXPRESSION_TOO_LONG("NR-DSL-109", "expression with more than %d operators", "split it, for example over block parameters"),

  // 2xx: names and definitions
  DUPLICATE_DEFINITION("NR-DSL-201", "duplicate %s '%s'", "the first one is at %3$s"),
  UNKNOWN_BLOCK("NR-DSL-202", "unknown block or layer kind '%s'", "did you mean '%2$s'?"),
  UNKNOWN_VARIABLE("NR-DSL-203", "unknown name '%s' in expression", "did you mean '%2$s'?"),
  WRONG_ARITY("NR-DSL-204", "block '%s' takes %d argument(s) but %d were given", "its parameters are (%4$s)"),
  UNKNOWN_PARAMETER("NR-DSL-205", "block '%s' has no parameter '%s'", "its parameters are (%3$s)"),
  MISSING_ARGUMENT("NR-DSL-206", "missing argument '%s' for block '%s'", "give it a value, or a default in the block's definition"),
  DUPLICATE_ARGUMENT("NR-DSL-207", "argument '%s' is given twice", null),
  DUPLICATE_PARAMETER("NR-DSL-208", "block '%s' declares parameter '%s' twice", null),
  RECURSIVE_BLOCK("NR-DSL-209", "recursive block: %s", "blocks cannot call themselves; use 'repeat'"),
  DUPLICATE_LAYER_NAME("NR-DSL-210", "duplicate layer name '%s'", "layer names must be unique in a network; label this layer differently"),
  UNKNOWN_REFERENCE("NR-DSL-211", "no layer named '%s' before this point", "did you mean '%2$s'?"),
  UNKNOWN_NETWORK("NR-DSL-212", "unknown network '%s'", "did you mean '%2$s'?"),
  UNKNOWN_SCHEDULE("NR-DSL-213", "unknown schedule '%s'", "did you mean '%2$s'?"),
  UNKNOWN_VALUE("NR-DSL-214", "unknown %s '%s'", "expected one of: %3$s"),
  DUPLICATE_SETTING("NR-DSL-215", "'%s' is set twice", "the first one is at %2$s"),
  DUPLICATE_OPTION("NR-DSL-216", "option '%s' is given twice", null),
  UNUSED_BLOCK("NR-DSL-217", "block '%s' is never called, so it was not checked", "call it from a network, or remove it"),

  // 3xx: shapes and structure
  KERNEL_TOO_LARGE("NR-DSL-301", "%s %d is larger than its padded input (%dx%d with pad %d) at layer '%s'", "use a smaller window or more padding"),
  NON_POSITIVE_SIZE("NR-DSL-302", "%s must be at least %d, got %d", null),
  RESIDUAL_CHANNEL_MISMATCH("NR-DSL-303", "channel mismatch at residual sum '%s': the branch gives %s, the shortcut %s", "add 'project' after 'residual' for a 1x1 projection shortcut, or give 'shortcut { ... }'"),
  RESIDUAL_SPATIAL_MISMATCH("NR-DSL-304", "spatial mismatch at residual sum '%s': the branch gives %s, the shortcut %s", "add 'project' after 'residual' for a strided 1x1 projection shortcut"),
  CONCAT_SPATIAL_MISMATCH("NR-DSL-305", "spatial mismatch at concatenation '%s': %s and %s", "concatenated inputs must have the same height and width; do not stride or pool inside 'dense'"),
  MISSING_INPUT_SHAPE("NR-DSL-306", "network '%s' has no input shape", "add 'input CxHxW', e.g. 'input 3x32x32'"),
  MISSING_CLASSES("NR-DSL-307", "network '%s' has no class count", "add 'classes K', e.g. 'classes 10'"),
  MISSING_CLASSIFIER("NR-DSL-308", "network '%s' does not end with a classifier", "add 'classifier' as its last layer"),
  LAYER_AFTER_CLASSIFIER("NR-DSL-309", "layer '%s' comes after the classifier", "the classifier must be the network's last layer"),
  MISSING_KERNEL("NR-DSL-310", "conv has no kernel size", "add one, e.g. 'k3' or 'kernel 3'"),
  PROJECTION_STRIDE("NR-DSL-311", "cannot project %s onto %s at residual sum '%s' with a strided 1x1 conv", "give the shortcut explicitly with 'shortcut { ... }'"),
  EMPTY_BRANCH("NR-DSL-312", "empty %s branch", "put at least one layer in it"),
  NETWORK_TOO_LARGE("NR-DSL-313", "network '%s' is too large: %s", "check 'repeat' counts and widths"),
  DIVISION_BY_ZERO("NR-DSL-314", "division by zero", null),
  INTEGER_OVERFLOW("NR-DSL-315", "integer overflow in expression", null),
  VALUE_TOO_LARGE("NR-DSL-316", "%s must be at most %d, got %s", null),
  POOL_PAD_TOO_LARGE("NR-DSL-317", "pool padding %d is more than half the window %d", "use pad <= window/2"),
  FLAG_CONFLICT("NR-DSL-318", "%s", null),
  CALLS_TOO_DEEP("NR-DSL-319", "block calls nested deeper than %d levels, at '%s'", "flatten the chain of blocks"),

  // 4xx: schedule values
  OUT_OF_RANGE("NR-DSL-401", "%s must be %s, got %s", null),
  LR_STEPS_ORDER("NR-DSL-402", "lr_steps must be strictly increasing and below epochs (%d), got %s", null),
  NORMALIZE_LENGTHS("NR-DSL-403", "normalize has %d mean(s) but %d std(s)", "give one mean and one std per input channel"),
  NOT_FINITE("NR-DSL-404", "%s is not a finite number: %s", null),
  NO_GROWTH_WARNING("NR-DSL-405", "with 'expand floor_sqrt' and target %s the expand rate can be 1, which adds no neurons (spec 12 C3)", "use a target of at most 0.25 with floor_sqrt"),

  // 9xx: internal
  INTERNAL_ERROR("NR-DSL-901", "internal error: %s", "this is a bug in nrj; please report it with the input file");

  private final String code;
  private final String format;
  private final String help;

  Message(String code, String format, String help) {
    this.code = code;
    this.format = format;
    this.help = help;
  }

  public String code() {
    return code;
  }

  public Severity severity() {
    return switch (this) {
      case NO_GROWTH_WARNING, UNUSED_BLOCK -> Severity.WARNING;
      case MORE_ERRORS, STOPPED -> Severity.NOTE;
      default -> Severity.ERROR;
    };
  }

  public String format(Object... args) {
    return String.format(Locale.ROOT, format, visible(args));
  }

  /** The remedy for these arguments, or null when this message has none. */
  public String help(Object... args) {
    return help == null ? null : String.format(Locale.ROOT, help, visible(args));
  }

  private static Object[] visible(Object[] args) {
    Object[] out = args.clone();
    for (int i = 0; i < out.length; i++) if (out[i] instanceof String s) out[i] = visible(s);
    return out;
  }

  /**
   * {@code text} safe to print in a message: invisible and reordering characters spelled out, and
   * text of more than 200 characters (a pasted blob, never a sentence of ours) cut to 60.
   */
  public static String visible(String text) {
    StringBuilder b = new StringBuilder();
    int shown = 0;
    int limit = text.length() > 200 ? 60 : Integer.MAX_VALUE;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (++shown > limit) {
        b.append("...");
        break;
      }
      if (invisible(cp)) b.append(String.format(Locale.ROOT, "U+%04X", cp));
      else b.appendCodePoint(cp);
    }
    return b.toString();
  }

  // Controls (NUL, ESC...), bidirectional embeddings, overrides, isolates and marks (the "Trojan
  // Source" characters), and lone surrogates.
  private static boolean invisible(int cp) {
    return Character.isISOControl(cp)
        || (cp >= 0x202A && cp <= 0x202E)
        || (cp >= 0x2066 && cp <= 0x2069)
        || cp == 0x200E || cp == 0x200F || cp == 0x061C
        || Character.getType(cp) == Character.SURROGATE
        || Character.getType(cp) == Character.FORMAT;
  }

  /** Builds a diagnostic at {@code location}, with the catalogue's remedy. */
  public Diagnostic at(SourceLocation location, Object... args) {
    return new Diagnostic(location, severity(), code, format(args), help(args));
  }

  /** Builds a diagnostic at {@code location} with an explicit remedy (null for none). */
  public Diagnostic atWithHelp(SourceLocation location, String help, Object... args) {
    return new Diagnostic(location, severity(), code, format(args), help);
  }
}
