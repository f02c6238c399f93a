package io.nrj.processor.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names a layer ({@code label: layer}); its IR node (and checkpoint tensors) take this name instead
 * of the default {@code features.N}.
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.METHOD)
public @interface Label {
  String value();
}
