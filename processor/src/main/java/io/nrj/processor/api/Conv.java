package io.nrj.processor.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** An NR convolution (conv + BN + ReLU) on a layer method of a {@link Network}: {@code conv WIDTH kK ...}. */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.METHOD)
public @interface Conv {
  /** Output channels. */
  int value();

  int kernel() default 3;

  int stride() default 1;

  /** Zero padding; -1 keeps the DSL's default (same-size padding, kernel / 2). */
  int pad() default -1;

  /** false: no ReLU after BN ({@code norelu}). */
  boolean relu() default true;

  /** Reads the image (spec §3 is_input). */
  boolean input() default false;

  /** Never pruned (spec §3 is_fixed); residual-tied convs are inferred fixed anyway. */
  boolean fixed() default false;
}
