package io.nrj.processor;

import com.palantir.javapoet.JavaFile;
import io.nrj.dsl.Diagnostic;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrModule;
import io.nrj.processor.descriptor.TrainerDescriptor;
import io.nrj.processor.descriptor.TrainerDescriptorFactory;
import io.nrj.processor.writing.TrainerWriter;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic.Kind;

/**
 * What both front ends do once they hold a compiled module: report its diagnostics on the
 * annotation, pick the networks, build descriptors and write the trainers through the Filer.
 */
final class TrainerGenerator {
  private final ProcessingEnvironment env;
  private final ErrorReporter reporter;
  /** Qualified trainer name to the element it came from, across rounds (duplicates are errors). */
  private final Map<String, Element> written = new HashMap<>();

  TrainerGenerator(ProcessingEnvironment env, ErrorReporter reporter) {
    this.env = env;
    this.reporter = reporter;
  }

  /**
   * Reports every DSL diagnostic on {@code value} (javac cannot point into a {@code .nr} file, so
   * the message carries {@code file:line:col}); returns false when any was an error.
   */
  boolean reportDiagnostics(
      List<Diagnostic> diagnostics, Element element, AnnotationMirror mirror, AnnotationValue value) {
    boolean ok = true;
    for (Diagnostic d : diagnostics) {
      if (d.severity() == Diagnostic.Severity.ERROR) {
        reporter.reportError(element, mirror, value, Message.DSL_ERROR, d.format());
        ok = false;
      } else {
        env.getMessager()
            .printMessage(Kind.WARNING, Message.DSL_ERROR.format(d.format()), element, mirror, value);
      }
    }
    return ok;
  }

  /** Checks the requested network names, then writes one trainer per binding or network. */
  void generate(
      NrModule module,
      List<String> networks,
      String packageName,
      Element element,
      AnnotationMirror mirror,
      AnnotationValue networksValue) {
    if (module.networks().isEmpty()) {
      reporter.reportError(element, mirror, null, Message.NO_NETWORK, module.file());
      return;
    }
    for (String name : networks) {
      if (module.network(name).isEmpty()) {
        List<String> known = module.networks().stream().map(NetworkIr::name).toList();
        reporter.reportError(
            element, mirror, networksValue, Message.UNKNOWN_NETWORK, module.file(), name, known);
        return;
      }
    }
    for (TrainerDescriptor d : TrainerDescriptorFactory.forModule(packageName, module, networks)) {
      String qualified = packageName.isEmpty() ? d.className() : packageName + "." + d.className();
      Element previous = written.putIfAbsent(qualified, element);
      if (previous != null) {
        reporter.reportError(element, mirror, null, Message.DUPLICATE_TRAINER, qualified, previous);
        continue;
      }
      JavaFile file = TrainerWriter.write(d, List.of(element));
      try {
        file.writeTo(env.getFiler());
      } catch (IOException e) {
        reporter.reportError(element, mirror, null, Message.WRITE_FAILED, qualified, e.getMessage());
      }
    }
  }
}
