package io.nrj.dsl.resolve;

import io.nrj.dsl.Diagnostics;
import io.nrj.dsl.Message;
import io.nrj.dsl.SourceLocation;
import io.nrj.dsl.ast.Definition.NetworkDef;
import io.nrj.dsl.ast.NetworkSetting;
import io.nrj.dsl.ir.InitScheme;
import io.nrj.dsl.ir.Shape;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A network's settings: the input shape and class count (both required) and the initialisation
 * (spec §8.1). Each setting at most once.
 */
final class NetworkHeader {
  private final NetworkDef def;
  private final Diagnostics diagnostics;
  private final Expressions expressions;
  private Shape input;
  private int classes;

  NetworkHeader(NetworkDef def, Diagnostics diagnostics, Expressions expressions) {
    this.def = def;
    this.diagnostics = diagnostics;
    this.expressions = expressions;
  }

  Shape input() {
    return input;
  }

  int classes() {
    return classes;
  }

  /** Reads the settings; throws {@link Abort} (after reporting) when input or classes is missing or bad. */
  InitScheme resolve() {
    Map<String, NetworkSetting> seen = new LinkedHashMap<>();
    for (NetworkSetting s : def.settings()) {
      NetworkSetting first = seen.putIfAbsent(s.keyword(), s);
      if (first != null) diagnostics.report(Message.DUPLICATE_SETTING, s.location(), s.keyword(), first.location());
    }
    if (!(seen.get("input") instanceof NetworkSetting.InputShape in)) {
      diagnostics.report(Message.MISSING_INPUT_SHAPE, def.name().location(), def.name().value());
      throw new Abort();
    }
    input =
        new Shape(
            size(in.channels(), "input channels", Limits.MAX_CHANNELS, in.location()),
            size(in.height(), "input height", Limits.MAX_SPATIAL, in.location()),
            size(in.width(), "input width", Limits.MAX_SPATIAL, in.location()));
    if (!(seen.get("classes") instanceof NetworkSetting.Classes k)) {
      diagnostics.report(Message.MISSING_CLASSES, def.name().location(), def.name().value());
      throw new Abort();
    }
    classes = size(expressions.eval(k.count(), Map.of(), () -> input.channels()), "classes", Limits.MAX_CHANNELS, k.count().location());
    double gamma = InitScheme.DEFAULT.bnGamma();
    if (seen.get("bn_gamma") instanceof NetworkSetting.BnGamma g) {
      gamma = g.value().value();
      if (!(gamma > 0) || Double.isInfinite(gamma)) {
        diagnostics.report(Message.OUT_OF_RANGE, g.value().location(), "bn_gamma", "a finite number > 0", g.value().text());
      }
    }
    InitScheme.ClassifierInit classifierInit = InitScheme.DEFAULT.classifier();
    if (seen.get("classifier_init") instanceof NetworkSetting.ClassifierInit c) {
      switch (c.kind().value()) {
        case "normal" -> classifierInit = InitScheme.ClassifierInit.NORMAL_001;
        case "he" -> classifierInit = InitScheme.ClassifierInit.HE;
        default ->
            diagnostics.report(Message.UNKNOWN_VALUE, c.kind().location(), "classifier_init", c.kind().value(), "normal, he");
      }
    }
    return new InitScheme(gamma, classifierInit);
  }

  private int size(long value, String what, long max, SourceLocation at) {
    return Limits.size(diagnostics, value, what, max, at);
  }
}
