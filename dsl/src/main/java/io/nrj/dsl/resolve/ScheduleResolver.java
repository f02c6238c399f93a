package io.nrj.dsl.resolve;

import io.nrj.dsl.Diagnostics;
import io.nrj.dsl.Message;
import io.nrj.dsl.SourceLocation;
import io.nrj.dsl.ast.Definition.ScheduleDef;
import io.nrj.dsl.ast.Setting;
import io.nrj.dsl.ir.NrSettings;
import io.nrj.dsl.ir.ScheduleIr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resolves a schedule: applies the authors' defaults (cifar.py, spec §2.4 and §9.1) to every knob
 * not written, and checks ranges. Every error is reported; the schedule is null if there was one.
 */
final class ScheduleResolver {
  /** Lines that hold several settings ({@code sgd lr 0.1 momentum 0.9}); their parts are checked one by one. */
  private static final Set<String> GROUPS = Set.of("sgd", "augment", "normalize", "lr_steps");

  static final List<String> DATASETS = List.of("mnist", "cifar10", "cifar100", "imagenet");

  private final ScheduleDef def;
  private final Diagnostics diagnostics;
  private boolean failed;

  ScheduleResolver(ScheduleDef def, Diagnostics diagnostics) {
    this.def = def;
    this.diagnostics = diagnostics;
  }

  ScheduleIr resolve() {
    Map<String, Setting> s = flatten(def.settings());
    int epochs = intValue(s, "epochs", 300, 1, 1_000_000);
    int batch = intValue(s, "batch", 64, 1, 1 << 20);
    int testBatch = intValue(s, "test_batch", 100, 1, 1 << 20);
    double lr = number(s, "lr", 0.1, 0, false, Double.MAX_VALUE, true, "> 0");
    double momentum = number(s, "momentum", 0.9, 0, true, 1, false, "in [0, 1)");
    double weightDecay = number(s, "weight_decay", 1e-4, 0, true, Double.MAX_VALUE, true, ">= 0");
    List<Integer> lrSteps = lrSteps(s.get("lr_steps"), epochs);
    double gamma = number(s, "gamma", 0.1, 0, false, 1, true, "in (0, 1]");
    ScheduleIr.Augment augment =
        new ScheduleIr.Augment(
            intValue(s, "crop", 0, 1, 1 << 16),
            intValue(s, "pad", 0, 0, 1 << 16),
            s.containsKey("flip"),
            intValue(s, "resized_crop", 0, 1, 1 << 16),
            intValue(s, "resize", 0, 1, 1 << 16));
    ScheduleIr.Normalize normalize = normalize(s);
    String dataset = word(s, "dataset", null, DATASETS);
    String precision = word(s, "precision", "fp32", List.of("fp32", "tf32"));
    NrSettings nr = s.containsKey("rejuvenate") ? nr(flatten(s.get("rejuvenate").children())) : null;
    if (failed) return null;
    return new ScheduleIr(
        def.name().value(), epochs, batch, testBatch, new ScheduleIr.Sgd(lr, momentum, weightDecay), lrSteps,
        gamma, augment, normalize, dataset,
        precision.equals("tf32") ? ScheduleIr.Precision.TF32 : ScheduleIr.Precision.FP32, nr, def.name().location());
  }

  /** Spec §2 to §7; defaults are cifar.py's (fixed lambda 1e-4, target 0.25, cross removed). */
  private NrSettings nr(Map<String, Setting> s) {
    NrSettings.Sparsity sparsity = new NrSettings.FixedSparsity(1e-4);
    Setting sp = s.get("sparsity");
    if (sp != null && sp.values().getFirst() instanceof Setting.Value.Word) {
      Map<String, Setting> a = flatten(sp.children());
      sparsity =
          new NrSettings.AdaptiveSparsity(
              number(a, "start", 0, 0, true, Double.MAX_VALUE, true, ">= 0"),
              number(a, "step", 5e-5, 0, true, Double.MAX_VALUE, true, ">= 0"),
              number(a, "threshold", 0.01, 0, true, Double.MAX_VALUE, true, ">= 0"));
    } else if (sp != null) {
      sparsity = new NrSettings.FixedSparsity(number(s, "sparsity", 1e-4, 0, true, Double.MAX_VALUE, true, ">= 0"));
    }
    double target = number(s, "target", 0.25, 0, false, 1, true, "in (0, 1]");
    NrSettings.Measure measure =
        word(s, "measure", "params", List.of("params", "flops")).equals("flops")
            ? NrSettings.Measure.FLOPS
            : NrSettings.Measure.PARAMS;
    double live = number(s, "live_threshold", 0.01, 0, false, 1, false, "in (0, 1)");
    double dead = number(s, "dead_threshold", 1e-3, 0, true, Double.MAX_VALUE, true, ">= 0");
    NrSettings.ExpandRule expand =
        word(s, "expand", "sqrt", List.of("sqrt", "floor_sqrt")).equals("floor_sqrt")
            ? NrSettings.ExpandRule.FLOOR_SQRT
            : NrSettings.ExpandRule.SQRT;
    double newGamma = number(s, "new_gamma", 0.5, 0, false, Double.MAX_VALUE, true, "> 0");
    NrSettings.CrossMode cross =
        word(s, "cross", "removed", List.of("removed", "attention")).equals("attention")
            ? NrSettings.CrossMode.ATTENTION
            : NrSettings.CrossMode.REMOVED;
    double bnRestore = number(s, "bn_restore", 0, 0, true, Double.MAX_VALUE, true, ">= 0");
    Map<String, Setting> restore = s.containsKey("bn_restore") ? flatten(s.get("bn_restore").children()) : Map.of();
    NrSettings.BnRestoreMode mode =
        word(restore, "mode", "quirk", List.of("quirk", "corrected")).equals("corrected")
            ? NrSettings.BnRestoreMode.CORRECTED
            : NrSettings.BnRestoreMode.QUIRK;
    if (expand == NrSettings.ExpandRule.FLOOR_SQRT && target > 0.25 && s.containsKey("expand")) {
      diagnostics.report(Message.NO_GROWTH_WARNING, s.get("expand").location(), Double.toString(target));
    }
    return new NrSettings(
        sparsity, target, measure, live, dead, expand, newGamma, cross, bnRestore, mode, s.containsKey("compress_only"));
  }

  /** Settings by keyword, with group lines opened up; a keyword set twice is reported. */
  private Map<String, Setting> flatten(List<Setting> settings) {
    Map<String, Setting> out = new LinkedHashMap<>();
    List<Setting> queue = new ArrayList<>();
    for (Setting s : settings) {
      if (GROUPS.contains(s.keyword()) && s.values().isEmpty()) queue.addAll(s.children());
      else queue.add(s);
    }
    for (Setting s : queue) {
      Setting first = out.putIfAbsent(s.keyword(), s);
      if (first != null) {
        diagnostics.report(Message.DUPLICATE_SETTING, s.location(), s.keyword(), first.location());
        failed = true;
      }
    }
    return out;
  }

  private List<Integer> lrSteps(Setting s, int epochs) {
    if (s == null) return List.of(150, 225);
    List<Integer> steps = new ArrayList<>();
    boolean ok = true;
    for (Setting.Value v : s.values()) {
      double d = ((Setting.Value.Number) v).value();
      if (d >= epochs || (!steps.isEmpty() && d <= steps.getLast())) ok = false;
      steps.add((int) Math.min(d, Integer.MAX_VALUE));
    }
    if (!ok) {
      List<String> texts = new ArrayList<>();
      for (Setting.Value v : s.values()) texts.add(((Setting.Value.Number) v).text());
      error(Message.LR_STEPS_ORDER, s.location(), epochs, String.join(" ", texts));
    }
    return steps;
  }

  private ScheduleIr.Normalize normalize(Map<String, Setting> s) {
    Setting mean = s.get("mean");
    Setting std = s.get("std");
    if (mean == null || std == null) return ScheduleIr.Normalize.NONE;
    if (mean.values().size() != std.values().size()) {
      error(Message.NORMALIZE_LENGTHS, mean.location(), mean.values().size(), std.values().size());
    }
    List<Double> m = new ArrayList<>();
    for (Setting.Value v : mean.values()) m.add(finite((Setting.Value.Number) v, "mean"));
    List<Double> d = new ArrayList<>();
    for (Setting.Value v : std.values()) {
      double x = finite((Setting.Value.Number) v, "std");
      if (Double.isFinite(x) && !(x > 0)) error(Message.OUT_OF_RANGE, v.location(), "std", "> 0", ((Setting.Value.Number) v).text());
      d.add(x);
    }
    return new ScheduleIr.Normalize(m, d);
  }

  private int intValue(Map<String, Setting> s, String key, int dflt, int min, int max) {
    Setting setting = s.get(key);
    if (setting == null) return dflt;
    Setting.Value.Number n = (Setting.Value.Number) setting.values().getFirst();
    if (n.value() < min) {
      error(Message.OUT_OF_RANGE, n.location(), key, "at least " + min, n.text());
      return dflt;
    }
    if (n.value() > max) {
      error(Message.VALUE_TOO_LARGE, n.location(), key, max, n.text());
      return dflt;
    }
    return (int) n.value();
  }

  private double number(
      Map<String, Setting> s, String key, double dflt, double low, boolean lowIncluded, double high,
      boolean highIncluded, String range) {
    Setting setting = s.get(key);
    if (setting == null) return dflt;
    Setting.Value.Number n = (Setting.Value.Number) setting.values().getFirst();
    double v = n.value();
    if (!Double.isFinite(v)) {
      error(Message.NOT_FINITE, n.location(), key, n.text());
      return dflt;
    }
    boolean ok = (lowIncluded ? v >= low : v > low) && (highIncluded ? v <= high : v < high);
    if (!ok) error(Message.OUT_OF_RANGE, n.location(), key, range, n.text());
    return v;
  }

  private double finite(Setting.Value.Number n, String key) {
    if (!Double.isFinite(n.value())) error(Message.NOT_FINITE, n.location(), key, n.text());
    return n.value();
  }

  private String word(Map<String, Setting> s, String key, String dflt, List<String> allowed) {
    Setting setting = s.get(key);
    if (setting == null) return dflt;
    Setting.Value.Word w = (Setting.Value.Word) setting.values().getFirst();
    if (!allowed.contains(w.word())) {
      error(Message.UNKNOWN_VALUE, w.location(), key, w.word(), String.join(", ", allowed));
      return dflt == null ? allowed.getFirst() : dflt;
    }
    return w.word();
  }

  private void error(Message m, SourceLocation at, Object... args) {
    diagnostics.report(m, at, args);
    failed = true;
  }
}
