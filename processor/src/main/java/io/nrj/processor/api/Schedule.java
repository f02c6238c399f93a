package io.nrj.processor.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A training schedule without {@code .nr} text, bound to a network with {@link Network#schedule()}.
 * Values left at their defaults keep the DSL's defaults; {@code sparsity > 0} turns on Neural
 * Rejuvenation ({@code rejuvenate { ... }}).
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.TYPE)
public @interface Schedule {
  /** Empty: the interface name in snake case. */
  String name() default "";

  String dataset() default "";

  int epochs();

  int batch();

  int testBatch() default 0;

  double lr();

  double momentum() default 0.9;

  double weightDecay() default 1e-4;

  int[] lrSteps() default {};

  double gamma() default 0.1;

  /** Random crop size; 0 for none. */
  int crop() default 0;

  int cropPad() default 0;

  boolean flip() default false;

  double[] mean() default {};

  double[] std() default {};

  /** Fixed L1 lambda on BN scales; 0 means plain training (no {@code rejuvenate} block). */
  double sparsity() default 0;

  double target() default 0.5;

  /** {@code "params"} or {@code "flops"}. */
  String measure() default "params";

  /** {@code "removed"} or {@code "attention"}. */
  String cross() default "removed";
}
