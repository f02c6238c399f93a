package io.nrj.processor.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names a {@code .nr} file whose networks the nrj processor turns into trainer classes: one
 * {@code XxxTrainer} per {@code train NETWORK with SCHEDULE} binding, or per network when the file
 * has no binding. The trainers are generated in the annotated element's package.
 *
 * <p>The file is looked up, in order, under the directory given by the processor option {@code
 * -Anr.dir=DIR}, then under {@code src/main/nr/} of the Maven project being compiled (found from
 * the compiler's output folders), then on the source path. A plain Maven project therefore needs
 * nothing beyond adding the processor.
 *
 * <p>The annotation is kept in source only: consumers compile against the processor jar with
 * {@code provided} scope and need nothing of it at run time.
 *
 * <pre>{@code
 * @NrSpec("vgg19_nr.nr")
 * interface Vgg19Nr {}
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target({ElementType.TYPE, ElementType.PACKAGE})
public @interface NrSpec {
  /** The {@code .nr} file, relative to the spec directory (for example {@code "vgg19_nr.nr"}). */
  String value();

  /** Restricts generation to these networks; empty means every binding (or every network). */
  String[] networks() default {};
}
