package io.nrj.processor.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a network without {@code .nr} text: the annotated interface's methods, in source order,
 * are its layers (each method carries one layer annotation: {@link Conv}, {@link MaxPool}, {@link
 * AvgPool}, {@link Relu}, {@link Residual}, {@link Classifier}), the last being the classifier. The
 * processor renders the interface to canonical {@code .nr} text, compiles it with the DSL (so it
 * yields exactly the IR the same network written as {@code .nr} yields) and generates {@code
 * <Name>Trainer} in the interface's package.
 *
 * <pre>{@code
 * @Network(input = "1x28x28", classes = 10, bnGamma = 0.5, schedule = LenetMnist.class)
 * interface Lenet5 {
 *   @Conv(value = 20, kernel = 5, pad = 0, input = true) void conv1();
 *   @MaxPool(2) void pool1();
 *   ...
 *   @Classifier void classifier();
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target(ElementType.TYPE)
public @interface Network {
  /** The network's name; empty means the interface name in snake case ({@code Vgg19Nr} is {@code vgg19_nr}). */
  String name() default "";

  /** The image shape, {@code CxHxW} (for example {@code "3x32x32"}). */
  String input();

  int classes();

  /** Initial BN scale; 0 keeps the DSL's default. */
  double bnGamma() default 0;

  /** {@code "he"} for the CIFAR ResNet classifier init quirk; empty keeps the default. */
  String classifierInit() default "";

  /** An interface annotated {@link Schedule} to bind ({@code train NETWORK with SCHEDULE}); {@code void.class} for none. */
  Class<?> schedule() default void.class;
}
