package io.nrj.processor.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A residual unit ({@code residual { ... }}): the method's return type is an interface whose layer
 * methods form the branch; the shortcut is the identity, or with {@code project} a fixed 1x1
 * projection when the branch changes the shape. A ReLU follows the sum unless {@code relu} is
 * false (post-activation ResNets).
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.METHOD)
public @interface Residual {
  boolean project() default false;

  /** Whether a ReLU follows the residual sum ({@code residual { ... } relu}). */
  boolean relu() default true;
}
