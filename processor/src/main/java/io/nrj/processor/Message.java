package io.nrj.processor;

import java.util.Locale;

/**
 * Every message the nrj processor reports: a stable code, a severity and a format string. Tests
 * assert codes, so rewording a message never breaks them; a new failure kind is a new constant.
 * The catalogue of the DSL itself lives in {@code dsl/}: its diagnostics are wrapped by {@link
 * #DSL_ERROR} with their own code kept inside.
 */
public enum Message {
  SPEC_NOT_FOUND(
      201,
      "cannot find the .nr file '%s' (looked in: %s); put it under src/main/nr/ or pass"
          + " -Anr.dir=DIR to javac"),
  DSL_ERROR(202, "%s"),
  SPEC_UNREADABLE(203, "cannot read %s: %s"),
  NO_NETWORK(204, "%s defines no network; add one: network NAME { input CxHxW ... classifier }"),
  UNKNOWN_NETWORK(205, "%s has no network '%s'; known networks: %s"),
  WRONG_TARGET(206, "@%s belongs on an interface%s, not on %s"),
  EMPTY_FILE_NAME(207, "@NrSpec needs a file name, for example @NrSpec(\"vgg19_nr.nr\")"),
  DUPLICATE_TRAINER(
      208, "the trainer %s is generated twice (also from %s); rename one of the networks"),
  WRITE_FAILED(209, "cannot write %s: %s"),
  NETWORK_WITHOUT_LAYERS(
      210, "network %s declares no layers; add methods annotated @Conv, @MaxPool, ... in order"),
  LAYER_MISSING(
      211,
      "method %s has @Repeat or @Label but no layer annotation; add one of @Conv, @MaxPool,"
          + " @AvgPool, @Relu, @Residual or @Classifier"),
  TWO_LAYER_ANNOTATIONS(212, "method %s has two layer annotations (%s); split it into two methods"),
  BAD_ANNOTATION_VALUE(214, "%s = %s is not allowed: %s"),
  MISSING_CLASSIFIER(215, "network %s must end with a method annotated @Classifier"),
  SCHEDULE_NOT_SCHEDULE(216, "%s is used as a schedule but is not annotated @Schedule"),
  ANNOTATED_SPEC_ERROR(
      217, "the annotations of %s describe an invalid network (as .nr: %s): %s"),
  INTERNAL_ERROR(299, "internal error in the nrj processor, please report it:%n%s");

  private final int number;
  private final String format;

  Message(int number, String format) {
    this.number = number;
    this.format = format;
  }

  /** The stable code, for example {@code NR-GEN-201}. */
  public String code() {
    return "NR-GEN-" + number;
  }

  /** {@code [NR-GEN-201] formatted text}. */
  public String format(Object... args) {
    return "[" + code() + "] " + String.format(Locale.ROOT, format, args);
  }
}
