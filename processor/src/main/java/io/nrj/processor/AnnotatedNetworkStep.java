package io.nrj.processor;

import io.nrj.dsl.CompileResult;
import io.nrj.dsl.Diagnostic;
import io.nrj.dsl.NrCompiler;
import io.nrj.processor.ErrorReporter.AbortProcessingException;
import io.nrj.processor.api.Network;
import io.nrj.processor.reading.AnnotatedNetworkRenderer;
import io.nrj.processor.reading.AnnotatedNetworkRenderer.Origin;
import io.nrj.processor.reading.AnnotatedNetworkRenderer.Rendered;
import java.util.List;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.TypeElement;

/**
 * Front end 2: {@code @Network} interfaces. Renders each to {@code .nr} text, compiles it with the
 * DSL like any spec file, reports DSL diagnostics on the method and annotation that wrote the
 * offending line, and hands the module to the {@link TrainerGenerator}.
 */
final class AnnotatedNetworkStep implements TrainerProcessor.Step {
  static final String NETWORK_ANNOTATION = Network.class.getCanonicalName();

  private final ProcessingEnvironment env;
  private final ErrorReporter reporter;
  private final TrainerGenerator generator;

  AnnotatedNetworkStep(ProcessingEnvironment env, ErrorReporter reporter, TrainerGenerator generator) {
    this.env = env;
    this.reporter = reporter;
    this.generator = generator;
  }

  @Override
  public void process(RoundEnvironment round) {
    for (Element element : round.getElementsAnnotatedWith(Network.class)) {
      try {
        processElement(element);
      } catch (AbortProcessingException e) {
        // already reported; go on with the next element
      }
    }
  }

  private void processElement(Element element) {
    var mirror = Annotations.mirror(element, Network.class);
    if (element.getKind() != ElementKind.INTERFACE) {
      throw reporter.abortWithError(
          element, mirror, null, Message.WRONG_TARGET, "Network", "",
          "a " + element.getKind().toString().toLowerCase(java.util.Locale.ROOT) + " ("
              + element.getSimpleName() + ")");
    }
    TypeElement type = (TypeElement) element;
    Rendered rendered = new AnnotatedNetworkRenderer(reporter).render(type);
    String file = type.getQualifiedName() + ".nr";
    CompileResult result = NrCompiler.compile(file, rendered.text());
    boolean ok = true;
    for (Diagnostic d : result.diagnostics()) {
      if (d.severity() != Diagnostic.Severity.ERROR) continue;
      ok = false;
      Origin at = rendered.origin(d.location().line());
      String line = rendered.text().lines().skip(d.location().line() - 1).findFirst().orElse("").strip();
      reporter.reportError(
          at.element(), at.mirror(), null, Message.ANNOTATED_SPEC_ERROR, type.getSimpleName(),
          "'" + line + "'", "[" + d.code() + "] " + d.message());
    }
    if (!ok || !result.ok()) return;
    String pkg = env.getElementUtils().getPackageOf(type).getQualifiedName().toString();
    generator.generate(result.module(), List.of(), pkg, type, mirror, null);
  }
}
