package io.nrj.processor;

import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic.Kind;

/**
 * Reports errors on the exact element, annotation and annotation value, so javac and IDEs underline
 * the attribute at fault. Modelled on AutoValue's ErrorReporter: it counts errors, and {@link
 * #abortWithError} lets the caller drop one annotated element while the others continue.
 */
public final class ErrorReporter {
  private final Messager messager;
  private int errorCount;

  public ErrorReporter(Messager messager) {
    this.messager = messager;
  }

  /** Reports an error on {@code element}, its {@code mirror} and {@code value} (each may be null). */
  public void reportError(
      Element element, AnnotationMirror mirror, AnnotationValue value, Message message, Object... args) {
    errorCount++;
    messager.printMessage(Kind.ERROR, message.format(args), element, mirror, value);
  }

  /** Reports an error on an element, without a narrower position. */
  public void reportError(Element element, Message message, Object... args) {
    reportError(element, null, null, message, args);
  }

  /**
   * Reports an error and returns an exception for the caller to throw, which abandons only the
   * element being processed.
   */
  public AbortProcessingException abortWithError(
      Element element, AnnotationMirror mirror, AnnotationValue value, Message message, Object... args) {
    reportError(element, mirror, value, message, args);
    return new AbortProcessingException();
  }

  public int errorCount() {
    return errorCount;
  }

  /** Thrown after an error was reported: abandons one annotated element, never the whole round. */
  public static final class AbortProcessingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AbortProcessingException() {
      super(null, null, false, false);
    }
  }
}
