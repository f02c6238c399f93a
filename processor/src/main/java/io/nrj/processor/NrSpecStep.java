package io.nrj.processor;

import io.nrj.dsl.CompileResult;
import io.nrj.dsl.NrCompiler;
import io.nrj.processor.ErrorReporter.AbortProcessingException;
import io.nrj.processor.api.NrSpec;
import io.nrj.processor.reading.SpecLocator;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.PackageElement;

/**
 * Front end 1: {@code @NrSpec("file.nr")} on an interface or package. Finds and compiles the file
 * with the DSL, then hands the module to the {@link TrainerGenerator}. Each annotated element is
 * handled on its own: an error drops that element only.
 */
final class NrSpecStep implements TrainerProcessor.Step {
  private final ProcessingEnvironment env;
  private final ErrorReporter reporter;
  private final TrainerGenerator generator;

  NrSpecStep(ProcessingEnvironment env, ErrorReporter reporter, TrainerGenerator generator) {
    this.env = env;
    this.reporter = reporter;
    this.generator = generator;
  }

  @Override
  public void process(RoundEnvironment round) {
    for (Element element : round.getElementsAnnotatedWith(NrSpec.class)) {
      try {
        processElement(element);
      } catch (AbortProcessingException e) {
        // already reported; go on with the next element
      }
    }
  }

  private void processElement(Element element) {
    AnnotationMirror mirror = Annotations.mirror(element, NrSpec.class);
    AnnotationValue value = Annotations.value(mirror, "value");
    if (element.getKind() != ElementKind.INTERFACE && element.getKind() != ElementKind.PACKAGE) {
      throw reporter.abortWithError(
          element, mirror, null, Message.WRONG_TARGET, "NrSpec", " or a package",
          "a " + element.getKind().toString().toLowerCase(java.util.Locale.ROOT) + " ("
              + element.getSimpleName() + ")");
    }
    String fileName = element.getAnnotation(NrSpec.class).value().strip();
    if (fileName.isEmpty()) {
      throw reporter.abortWithError(element, mirror, value, Message.EMPTY_FILE_NAME);
    }
    SpecLocator locator =
        new SpecLocator(env.getFiler(), env.getOptions().get(TrainerProcessor.SPEC_DIR_OPTION));
    Optional<SpecLocator.FoundSpec> found;
    try {
      found = locator.find(fileName);
    } catch (IOException e) {
      throw reporter.abortWithError(
          element, mirror, value, Message.SPEC_UNREADABLE, fileName, e.getMessage());
    }
    if (found.isEmpty()) {
      throw reporter.abortWithError(
          element, mirror, value, Message.SPEC_NOT_FOUND, fileName,
          String.join(", ", locator.lookedIn()));
    }
    CompileResult result = NrCompiler.compile(found.get().displayName(), found.get().text());
    if (!generator.reportDiagnostics(result.diagnostics(), element, mirror, value) || !result.ok()) {
      return;
    }
    List<String> networks = List.of(element.getAnnotation(NrSpec.class).networks());
    generator.generate(
        result.module(), networks, packageOf(element), element, mirror,
        Annotations.value(mirror, "networks"));
  }

  private String packageOf(Element element) {
    PackageElement pkg = env.getElementUtils().getPackageOf(element);
    return pkg.isUnnamed() ? "" : pkg.getQualifiedName().toString();
  }
}
