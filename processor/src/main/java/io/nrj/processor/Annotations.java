package io.nrj.processor;

import java.lang.annotation.Annotation;
import java.util.Map;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;

/** Small helpers to reach an annotation's mirror and values, for precise error positions. */
final class Annotations {
  private Annotations() {}

  /** The mirror of {@code type} on {@code element}, or null when absent. */
  static AnnotationMirror mirror(Element element, Class<? extends Annotation> type) {
    for (AnnotationMirror m : element.getAnnotationMirrors()) {
      TypeElement t = (TypeElement) m.getAnnotationType().asElement();
      if (t.getQualifiedName().contentEquals(type.getCanonicalName())) return m;
    }
    return null;
  }

  /**
   * The value of {@code name} as written, or null when it takes its default (javac then points at
   * the annotation as a whole).
   */
  static AnnotationValue value(AnnotationMirror mirror, String name) {
    if (mirror == null) return null;
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e :
        mirror.getElementValues().entrySet()) {
      if (e.getKey().getSimpleName().contentEquals(name)) return e.getValue();
    }
    return null;
  }
}
