package io.nrj.processor;

import com.google.auto.service.AutoService;
import io.nrj.processor.api.NrSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedOptions;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic.Kind;

/**
 * The nrj annotation processor: turns {@code @NrSpec} files and {@code @Network} interfaces into
 * trainer classes. It is only the shell: each annotation has a step ({@link NrSpecStep}, {@link
 * AnnotatedNetworkStep}) that reads, validates, builds descriptors and writes.
 *
 * <p>It never claims its annotations (returns false), so other processors may see them too, and
 * no exception escapes to javac: an unexpected one becomes a {@code [NR-GEN-299]} error with its
 * stack trace, as AutoService does.
 */
@AutoService(Processor.class)
@SupportedOptions(TrainerProcessor.SPEC_DIR_OPTION)
public final class TrainerProcessor extends AbstractProcessor {
  /** {@code -Anr.dir=DIR}: where {@code @NrSpec} files are looked up first. */
  public static final String SPEC_DIR_OPTION = "nr.dir";

  private List<Step> steps;

  /** One annotation's handling, run once per round. */
  interface Step {
    void process(RoundEnvironment round);
  }

  @Override
  public Set<String> getSupportedAnnotationTypes() {
    return Set.of(NrSpec.class.getCanonicalName(), AnnotatedNetworkStep.NETWORK_ANNOTATION);
  }

  @Override
  public SourceVersion getSupportedSourceVersion() {
    return SourceVersion.latestSupported();
  }

  @Override
  public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    try {
      if (steps == null) {
        ErrorReporter reporter = new ErrorReporter(processingEnv.getMessager());
        TrainerGenerator generator = new TrainerGenerator(processingEnv, reporter);
        steps =
            List.of(
                new NrSpecStep(processingEnv, reporter, generator),
                new AnnotatedNetworkStep(processingEnv, reporter, generator));
      }
      for (Step step : steps) step.process(round);
    } catch (RuntimeException e) {
      StringWriter trace = new StringWriter();
      e.printStackTrace(new PrintWriter(trace));
      processingEnv.getMessager().printMessage(Kind.ERROR, Message.INTERNAL_ERROR.format(trace));
    }
    // Never claim: the annotations are ours, but claiming would hide them from other processors.
    return false;
  }
}
