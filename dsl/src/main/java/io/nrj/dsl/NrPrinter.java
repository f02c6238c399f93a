package io.nrj.dsl;

import io.nrj.dsl.ir.InitScheme;
import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrModule;
import io.nrj.dsl.ir.NrSettings;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.TrainIr;
import io.nrj.dsl.ir.Widths;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints IR back to canonical {@code .nr}: blocks and repeats are gone, every layer is written on
 * its own line with its full name as label, and inputs are wired explicitly ({@code from X},
 * {@code add A, B}, {@code concat A, B}) wherever a layer does not read the line above. Schedules
 * are written with every knob. Compiling the output gives the same IR (locations aside), and
 * printing that again gives the same text.
 *
 * <p>It is not a pretty-printer of the source: comments and blocks are not kept.
 */
public final class NrPrinter {
  private NrPrinter() {}

  /** The whole module: networks, then schedules, then train bindings. */
  public static String print(NrModule module) {
    List<String> parts = new ArrayList<>();
    for (NetworkIr n : module.networks()) parts.add(print(n, n.widths(), n.name()));
    for (ScheduleIr s : module.schedules()) parts.add(print(s));
    StringBuilder trains = new StringBuilder();
    for (TrainIr t : module.trains()) trains.append("train ").append(t.network()).append(" with ").append(t.schedule()).append('\n');
    if (!trains.isEmpty()) parts.add(trains.toString());
    return String.join("\n", parts);
  }

  /**
   * A network whose IR equals {@code ir} except for its conv widths, taken from {@code widths}, and
   * its name (how a rejuvenated architecture is written as {@code network.nr}).
   *
   * @throws IllegalArgumentException if the table does not fit the network or a width is 0 (a
   *     deleted, fully dead layer cannot be written as a conv)
   */
  public static String print(NetworkIr ir, Widths widths, String newName) {
    if (widths.size() != ir.convs().size()) {
      throw new IllegalArgumentException(
          "widths table has " + widths.size() + " entries but " + ir.name() + " has " + ir.convs().size() + " convs");
    }
    StringBuilder sb = new StringBuilder();
    sb.append("network ").append(newName).append(" {\n");
    sb.append("  input ").append(ir.input()).append('\n');
    sb.append("  classes ").append(ir.classes()).append('\n');
    sb.append("  bn_gamma ").append(number(ir.init().bnGamma())).append('\n');
    sb.append("  classifier_init ")
        .append(ir.init().classifier() == InitScheme.ClassifierInit.HE ? "he" : "normal")
        .append("\n\n");
    for (IrNode n : ir.nodes()) {
      sb.append("  ").append(line(ir, n, widths)).append('\n');
    }
    return sb.append("}\n").toString();
  }

  private static String line(NetworkIr ir, IrNode n, Widths widths) {
    StringBuilder sb = new StringBuilder();
    boolean defaultClassifierName = n instanceof IrNode.Classifier && n.name().equals("classifier");
    if (!defaultClassifierName) sb.append(n.name()).append(": ");
    switch (n) {
      case IrNode.Conv c -> {
        int w = widths.get(c.convIndex());
        if (w <= 0) throw new IllegalArgumentException("conv '" + c.name() + "' has width " + w + "; it cannot be written");
        sb.append("conv ").append(w).append(" k").append(c.kernel());
        if (c.stride() != 1) sb.append(" stride ").append(c.stride());
        if (c.pad() != (c.kernel() - 1) / 2) sb.append(" pad ").append(c.pad());
        if (!c.relu()) sb.append(" norelu");
        if (c.isInput()) sb.append(" input");
        if (c.fixed()) sb.append(" fixed");
        if (c.splitOutput()) sb.append(" split");
        from(ir, n, sb);
      }
      case IrNode.Relu r -> {
        sb.append("relu");
        from(ir, n, sb);
      }
      case IrNode.MaxPool p -> pool(ir, sb, "maxpool", n, p.kernel(), p.stride(), p.pad());
      case IrNode.AvgPool p -> pool(ir, sb, "avgpool", n, p.kernel(), p.stride(), p.pad());
      case IrNode.Add a -> sb.append("add ").append(references(ir, a.inputs()));
      case IrNode.Concat c -> sb.append("concat ").append(references(ir, c.inputs()));
      case IrNode.Classifier c -> {
        sb.append("classifier");
        from(ir, n, sb);
      }
    }
    return sb.toString();
  }

  private static void pool(NetworkIr ir, StringBuilder sb, String kind, IrNode n, int k, int stride, int pad) {
    sb.append(kind).append(' ').append(k);
    if (stride != k) sb.append(" stride ").append(stride);
    if (pad != 0) sb.append(" pad ").append(pad);
    from(ir, n, sb);
  }

  /** {@code from X} unless the node reads the node just above it (or the image, when first). */
  private static void from(NetworkIr ir, IrNode n, StringBuilder sb) {
    int input = n.inputs().getFirst();
    int implicit = n.id() == 0 ? IrNode.IMAGE : n.id() - 1;
    if (input != implicit) sb.append(" from ").append(reference(ir, input));
  }

  private static String references(NetworkIr ir, List<Integer> inputs) {
    List<String> names = new ArrayList<>();
    for (int i : inputs) names.add(reference(ir, i));
    return String.join(", ", names);
  }

  private static String reference(NetworkIr ir, int id) {
    return id == IrNode.IMAGE ? "image" : ir.nodes().get(id).name();
  }

  /** A schedule with every knob written out. */
  public static String print(ScheduleIr s) {
    StringBuilder sb = new StringBuilder();
    sb.append("schedule ").append(s.name()).append(" {\n");
    if (s.dataset() != null) sb.append("  dataset ").append(s.dataset()).append('\n');
    sb.append("  epochs ").append(s.epochs()).append('\n');
    sb.append("  batch ").append(s.batch()).append('\n');
    sb.append("  test_batch ").append(s.testBatch()).append('\n');
    sb.append("  sgd lr ").append(number(s.sgd().lr()))
        .append(" momentum ").append(number(s.sgd().momentum()))
        .append(" weight_decay ").append(number(s.sgd().weightDecay())).append('\n');
    sb.append("  lr_steps");
    for (int step : s.lrSteps()) sb.append(' ').append(step);
    sb.append(" gamma ").append(number(s.gamma())).append('\n');
    ScheduleIr.Augment a = s.augment();
    StringBuilder aug = new StringBuilder();
    if (a.crop() > 0) aug.append(" crop ").append(a.crop());
    if (a.pad() > 0) aug.append(" pad ").append(a.pad());
    if (a.flip()) aug.append(" flip");
    if (a.resizedCrop() > 0) aug.append(" resized_crop ").append(a.resizedCrop());
    if (a.resize() > 0) aug.append(" resize ").append(a.resize());
    if (!aug.isEmpty()) sb.append("  augment").append(aug).append('\n');
    if (!s.normalize().mean().isEmpty()) {
      sb.append("  normalize mean");
      for (double m : s.normalize().mean()) sb.append(' ').append(number(m));
      sb.append(" std");
      for (double d : s.normalize().std()) sb.append(' ').append(number(d));
      sb.append('\n');
    }
    sb.append("  precision ").append(s.precision() == ScheduleIr.Precision.TF32 ? "tf32" : "fp32").append('\n');
    if (s.nr() != null) nr(s.nr(), sb);
    return sb.append("}\n").toString();
  }

  private static void nr(NrSettings nr, StringBuilder sb) {
    sb.append("  rejuvenate {\n");
    switch (nr.sparsity()) {
      case NrSettings.FixedSparsity f -> sb.append("    sparsity ").append(number(f.lambda())).append('\n');
      case NrSettings.AdaptiveSparsity ad ->
          sb.append("    sparsity adaptive start ").append(number(ad.start()))
              .append(" step ").append(number(ad.step()))
              .append(" threshold ").append(number(ad.threshold())).append('\n');
    }
    sb.append("    target ").append(number(nr.target())).append('\n');
    sb.append("    measure ").append(nr.measure() == NrSettings.Measure.FLOPS ? "flops" : "params").append('\n');
    sb.append("    live_threshold ").append(number(nr.liveThreshold())).append('\n');
    sb.append("    dead_threshold ").append(number(nr.deadThreshold())).append('\n');
    sb.append("    expand ").append(nr.expand() == NrSettings.ExpandRule.FLOOR_SQRT ? "floor_sqrt" : "sqrt").append('\n');
    sb.append("    new_gamma ").append(number(nr.newGamma())).append('\n');
    sb.append("    cross ").append(nr.cross() == NrSettings.CrossMode.ATTENTION ? "attention" : "removed").append('\n');
    sb.append("    bn_restore ").append(number(nr.bnRestore()))
        .append(" mode ").append(nr.bnRestoreMode() == NrSettings.BnRestoreMode.CORRECTED ? "corrected" : "quirk")
        .append('\n');
    if (nr.compressOnly()) sb.append("    compress_only\n");
    sb.append("  }\n");
  }

  /** The shortest text that reads back as the same double (Java's Double.toString, e.g. 1.0E-4). */
  private static String number(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return d == 0 ? "0" : Long.toString((long) d);
    }
    return Double.toString(d);
  }
}
