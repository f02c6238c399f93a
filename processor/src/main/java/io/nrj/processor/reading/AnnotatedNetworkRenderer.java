package io.nrj.processor.reading;

import io.nrj.processor.ErrorReporter;
import io.nrj.processor.Message;
import io.nrj.processor.api.AvgPool;
import io.nrj.processor.api.Classifier;
import io.nrj.processor.api.Conv;
import io.nrj.processor.api.Label;
import io.nrj.processor.api.MaxPool;
import io.nrj.processor.api.Network;
import io.nrj.processor.api.Relu;
import io.nrj.processor.api.Repeat;
import io.nrj.processor.api.Residual;
import io.nrj.processor.api.Schedule;
import java.lang.annotation.Annotation;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;

/**
 * Front end 2: renders an {@code @Network} interface (and its {@code @Schedule}) to canonical
 * {@code .nr} text, which the DSL then compiles like any file, so both front ends share every rule
 * and yield the same IR. Remembers which element wrote each line, so a DSL diagnostic can be
 * reported on the method and annotation at fault. Misuse it can see without the DSL (two layer
 * annotations on one method, a missing classifier) is reported here.
 */
public final class AnnotatedNetworkRenderer {
  /** The rendered text, and for each line (1-based) the element and annotation that wrote it. */
  public record Rendered(String networkName, String text, List<Origin> lines) {
    public Origin origin(int line) {
      return line >= 1 && line <= lines.size() ? lines.get(line - 1) : lines.getFirst();
    }
  }

  /** The element and annotation behind one line. */
  public record Origin(Element element, AnnotationMirror mirror) {}

  private static final List<Class<? extends Annotation>> LAYERS =
      List.of(Conv.class, MaxPool.class, AvgPool.class, Relu.class, Residual.class, Classifier.class);

  private final ErrorReporter reporter;
  private final StringBuilder text = new StringBuilder();
  private final List<Origin> lines = new ArrayList<>();

  public AnnotatedNetworkRenderer(ErrorReporter reporter) {
    this.reporter = reporter;
  }

  /** Renders {@code type}; throws {@link ErrorReporter.AbortProcessingException} after reporting. */
  public Rendered render(TypeElement type) {
    Network network = type.getAnnotation(Network.class);
    AnnotationMirror mirror = mirror(type, Network.class);
    String name = network.name().isEmpty() ? snakeCase(type.getSimpleName().toString()) : network.name();
    Origin top = new Origin(type, mirror);
    line(top, "# rendered by the nrj processor from @Network " + type.getQualifiedName());
    line(top, "network " + name + " {");
    line(top, "  input " + network.input());
    line(top, "  classes " + network.classes());
    if (network.bnGamma() != 0) line(top, "  bn_gamma " + number(network.bnGamma()));
    if (!network.classifierInit().isEmpty()) line(top, "  classifier_init " + network.classifierInit());
    List<ExecutableElement> layers = layerMethods(type);
    if (layers.isEmpty()) {
      throw reporter.abortWithError(type, mirror, null, Message.NETWORK_WITHOUT_LAYERS, name);
    }
    if (layers.getLast().getAnnotation(Classifier.class) == null) {
      throw reporter.abortWithError(type, mirror, null, Message.MISSING_CLASSIFIER, name);
    }
    for (ExecutableElement m : layers) layer(m, "  ");
    line(top, "}");
    TypeElement schedule = scheduleType(type, mirror);
    if (schedule != null) {
      String scheduleName = schedule(schedule);
      line(top, "train " + name + " with " + scheduleName);
    }
    return new Rendered(name, text.toString(), List.copyOf(lines));
  }

  private void layer(ExecutableElement m, String indent) {
    List<Class<? extends Annotation>> kinds =
        LAYERS.stream().filter(k -> m.getAnnotation(k) != null).toList();
    if (kinds.size() != 1) {
      throw kinds.isEmpty()
          ? reporter.abortWithError(m, null, null, Message.LAYER_MISSING, m.getSimpleName())
          : reporter.abortWithError(
              m, mirror(m, kinds.get(1)), null, Message.TWO_LAYER_ANNOTATIONS, m.getSimpleName(),
              kinds.stream().map(k -> "@" + k.getSimpleName()).toList());
    }
    Class<? extends Annotation> kind = kinds.getFirst();
    Origin origin = new Origin(m, mirror(m, kind));
    Label label = m.getAnnotation(Label.class);
    Repeat repeat = m.getAnnotation(Repeat.class);
    String prefix = label == null ? "" : label.value() + ": ";
    if (kind == Residual.class) {
      // A labelled repeat opens its own naming sequence: every residual unit gets one, named after
      // its method, so projections ('downsample') and branch layers never collide across units.
      String name = label == null ? m.getSimpleName().toString() : label.value();
      line(origin, indent + name + ": repeat " + (repeat == null ? 1 : repeat.value()) + " {");
      body(m, kind, origin, indent + "  ", "");
      line(origin, indent + "}");
    } else if (repeat != null) {
      line(origin, indent + prefix + "repeat " + repeat.value() + " {");
      body(m, kind, origin, indent + "  ", "");
      line(origin, indent + "}");
    } else {
      body(m, kind, origin, indent, prefix);
    }
  }

  private void body(
      ExecutableElement m, Class<? extends Annotation> kind, Origin origin, String indent, String prefix) {
    if (kind == Residual.class) {
      TypeElement branch = branchType(m, origin);
      line(origin, indent + prefix + "residual" + (m.getAnnotation(Residual.class).project() ? " project" : "") + " {");
      for (ExecutableElement inner : layerMethods(branch)) layer(inner, indent + "  ");
      line(origin, indent + "}");
      if (m.getAnnotation(Residual.class).relu()) line(origin, indent + "relu");
      return;
    }
    line(origin, indent + prefix + simpleLayer(m, kind));
  }

  private static String simpleLayer(ExecutableElement m, Class<? extends Annotation> kind) {
    if (kind == Conv.class) {
      Conv c = m.getAnnotation(Conv.class);
      StringBuilder s = new StringBuilder("conv " + c.value() + " k" + c.kernel());
      if (c.stride() != 1) s.append(" stride ").append(c.stride());
      if (c.pad() >= 0) s.append(" pad ").append(c.pad());
      if (!c.relu()) s.append(" norelu");
      if (c.input()) s.append(" input");
      if (c.fixed()) s.append(" fixed");
      return s.toString();
    }
    if (kind == MaxPool.class) {
      MaxPool p = m.getAnnotation(MaxPool.class);
      return pool("maxpool", p.value(), p.stride(), p.pad());
    }
    if (kind == AvgPool.class) {
      AvgPool p = m.getAnnotation(AvgPool.class);
      return pool("avgpool", p.value(), p.stride(), p.pad());
    }
    return kind == Relu.class ? "relu" : "classifier";
  }

  private static String pool(String keyword, int window, int stride, int pad) {
    return keyword + " " + window + (stride > 0 ? " stride " + stride : "") + (pad > 0 ? " pad " + pad : "");
  }

  private TypeElement branchType(ExecutableElement m, Origin origin) {
    TypeMirror t = m.getReturnType();
    if (t.getKind() == TypeKind.DECLARED
        && ((DeclaredType) t).asElement().getKind() == ElementKind.INTERFACE) {
      return (TypeElement) ((DeclaredType) t).asElement();
    }
    throw reporter.abortWithError(
        m, origin.mirror(), null, Message.BAD_ANNOTATION_VALUE, "@Residual on " + m.getSimpleName(),
        "return type " + t, "return an interface whose annotated methods form the branch");
  }

  private TypeElement scheduleType(TypeElement type, AnnotationMirror mirror) {
    AnnotationValue value = annotationValue(mirror, "schedule");
    if (value == null) return null;
    TypeMirror t = (TypeMirror) value.getValue();
    if (t.getKind() == TypeKind.VOID) return null;
    TypeElement s = (TypeElement) ((DeclaredType) t).asElement();
    if (s.getAnnotation(Schedule.class) == null) {
      throw reporter.abortWithError(type, mirror, value, Message.SCHEDULE_NOT_SCHEDULE, s.getQualifiedName());
    }
    return s;
  }

  private String schedule(TypeElement type) {
    Schedule s = type.getAnnotation(Schedule.class);
    Origin o = new Origin(type, mirror(type, Schedule.class));
    String name = s.name().isEmpty() ? snakeCase(type.getSimpleName().toString()) : s.name();
    line(o, "schedule " + name + " {");
    if (!s.dataset().isEmpty()) line(o, "  dataset " + s.dataset());
    line(o, "  epochs " + s.epochs());
    line(o, "  batch " + s.batch());
    if (s.testBatch() > 0) line(o, "  test_batch " + s.testBatch());
    line(o, "  sgd lr " + number(s.lr()) + " momentum " + number(s.momentum()) + " weight_decay " + number(s.weightDecay()));
    StringBuilder steps = new StringBuilder("  lr_steps");
    for (int e : s.lrSteps()) steps.append(' ').append(e);
    line(o, steps.append(" gamma ").append(number(s.gamma())).toString());
    if (s.crop() > 0 || s.flip()) {
      line(o, "  augment" + (s.crop() > 0 ? " crop " + s.crop() + " pad " + s.cropPad() : "") + (s.flip() ? " flip" : ""));
    }
    if (s.mean().length > 0) line(o, "  normalize mean " + numbers(s.mean()) + " std " + numbers(s.std()));
    if (s.sparsity() > 0) {
      line(o, "  rejuvenate {");
      line(o, "    sparsity " + number(s.sparsity()));
      line(o, "    target " + number(s.target()));
      line(o, "    measure " + s.measure());
      line(o, "    cross " + s.cross());
      line(o, "  }");
    }
    line(o, "}");
    return name;
  }

  private static List<ExecutableElement> layerMethods(TypeElement type) {
    List<ExecutableElement> out = new ArrayList<>();
    for (Element e : type.getEnclosedElements()) {
      if (e.getKind() != ElementKind.METHOD) continue;
      boolean annotated = LAYERS.stream().anyMatch(k -> e.getAnnotation(k) != null);
      if (annotated || e.getAnnotation(Repeat.class) != null || e.getAnnotation(Label.class) != null) {
        out.add((ExecutableElement) e);
      }
    }
    return out;
  }

  private void line(Origin origin, String s) {
    text.append(s).append('\n');
    lines.add(origin);
  }

  static String number(double d) {
    return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }

  private static String numbers(double[] ds) {
    StringBuilder s = new StringBuilder();
    for (double d : ds) s.append(s.isEmpty() ? "" : " ").append(number(d));
    return s.toString();
  }

  /** {@code Vgg19Nr} becomes {@code vgg19_nr}; {@code LeNet5} becomes {@code le_net5}. */
  static String snakeCase(String name) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isUpperCase(c) && i > 0) s.append('_');
      s.append(Character.toLowerCase(c));
    }
    return s.toString().toLowerCase(Locale.ROOT);
  }

  private static AnnotationMirror mirror(Element e, Class<? extends Annotation> type) {
    for (AnnotationMirror m : e.getAnnotationMirrors()) {
      if (((TypeElement) m.getAnnotationType().asElement()).getQualifiedName().contentEquals(type.getCanonicalName())) {
        return m;
      }
    }
    return null;
  }

  private static AnnotationValue annotationValue(AnnotationMirror mirror, String name) {
    for (var e : mirror.getElementValues().entrySet()) {
      if (e.getKey().getSimpleName().contentEquals(name)) return e.getValue();
    }
    return null;
  }
}
