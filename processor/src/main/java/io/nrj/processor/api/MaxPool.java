package io.nrj.processor.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Max pooling with a square window ({@code maxpool W}); stride 0 means the window size. */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.METHOD)
public @interface MaxPool {
  int value();

  int stride() default 0;

  int pad() default 0;
}
