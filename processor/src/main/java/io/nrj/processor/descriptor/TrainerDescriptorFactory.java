package io.nrj.processor.descriptor;

import io.nrj.dsl.SourceLocation;
import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrModule;
import io.nrj.dsl.ir.TrainIr;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.Shape;
import io.nrj.processor.descriptor.LayerDescriptor.Add;
import io.nrj.processor.descriptor.LayerDescriptor.Classifier;
import io.nrj.processor.descriptor.LayerDescriptor.Concat;
import io.nrj.processor.descriptor.LayerDescriptor.ConvBn;
import io.nrj.processor.descriptor.LayerDescriptor.Pool;
import io.nrj.processor.descriptor.LayerDescriptor.Relu;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.lang.model.SourceVersion;

/**
 * Turns one resolved network (and its bound schedule) into a {@link TrainerDescriptor}. Every
 * decision the generated code embodies is taken here: Java names, the producer of each input, how
 * channels follow from the widths table, which BN scales get the L1 term, and the comments.
 *
 * <p>It decides nothing the IR already decided (shapes, roles, conv indices); it only reads them.
 */
public final class TrainerDescriptorFactory {
  /** Printed in generated javadoc; bumped when generated code changes shape. */
  public static final String GENERATOR = "nrj processor 0.1.0";

  private static final Set<String> RESERVED =
      Set.of("image", "train", "ir", "seed", "backend", "args", "labels");

  private TrainerDescriptorFactory() {}

  /** The trainer class name for a network: {@code vgg19_nr} becomes {@code Vgg19NrTrainer}. */
  public static String className(String network) {
    return upperCamel(network) + "Trainer";
  }

  /**
   * The trainers a module yields: one per {@code train} binding, or one per network (without a
   * schedule) when the module binds none; restricted to {@code networks} unless it is empty.
   */
  public static List<TrainerDescriptor> forModule(
      String packageName, NrModule module, List<String> networks) {
    List<TrainerDescriptor> out = new ArrayList<>();
    if (module.trains().isEmpty()) {
      for (NetworkIr n : module.networks()) {
        if (networks.isEmpty() || networks.contains(n.name())) {
          out.add(create(packageName, module, n, null));
        }
      }
    } else {
      for (TrainIr t : module.trains()) {
        if (networks.isEmpty() || networks.contains(t.network())) {
          out.add(
              create(
                  packageName,
                  module,
                  module.network(t.network()).orElseThrow(),
                  module.schedule(t.schedule()).orElseThrow()));
        }
      }
    }
    return out;
  }

  /** The descriptor of one network's trainer; {@code schedule} may be null. */
  public static TrainerDescriptor create(
      String packageName, NrModule module, NetworkIr network, ScheduleIr schedule) {
    List<String> fields = fieldNames(network);
    List<LayerDescriptor> layers = new ArrayList<>();
    for (IrNode node : network.nodes()) {
      layers.add(layer(network, node, fields.get(node.id()), fields));
    }
    return new TrainerDescriptor(
        packageName,
        className(network.name()),
        network.name(),
        fileName(module.file()),
        module.source(),
        schedule == null ? null : schedule(schedule),
        network.input(),
        network.classes(),
        network.nodes().size(),
        network.convs().stream().map(IrNode.Conv::outChannels).toList(),
        layers,
        GENERATOR);
  }

  private static LayerDescriptor layer(
      NetworkIr network, IrNode node, String field, List<String> fields) {
    List<String> in = node.inputs().stream().map(i -> producer(i, fields)).toList();
    int first = node.inputs().getFirst();
    String comment = comment(node, inputShape(network, node));
    return switch (node) {
      case IrNode.Conv c ->
          new ConvBn(field, c.name(), c.id(), comment, in.getFirst(), first, c.convIndex());
      case IrNode.Relu r -> new Relu(field, r.name(), r.id(), comment, in.getFirst(), first);
      case IrNode.MaxPool p ->
          new Pool(
              field, p.name(), p.id(), comment, in.getFirst(), first, true, p.kernel(), p.stride(),
              p.pad());
      case IrNode.AvgPool p ->
          new Pool(
              field, p.name(), p.id(), comment, in.getFirst(), first, false, p.kernel(), p.stride(),
              p.pad());
      case IrNode.Add a -> new Add(field, a.name(), a.id(), comment, in, a.inputs());
      case IrNode.Concat c -> new Concat(field, c.name(), c.id(), comment, in, c.inputs());
      case IrNode.Classifier c ->
          new Classifier(field, c.name(), c.id(), comment, in.getFirst(), first, c.classes());
    };
  }

  private static String producer(int input, List<String> fields) {
    return input == IrNode.IMAGE ? null : fields.get(input);
  }

  /** The shape of the first input: the image, or the producer's output at the declared widths. */
  private static Shape inputShape(NetworkIr network, IrNode node) {
    int first = node.inputs().getFirst();
    return first == IrNode.IMAGE ? network.input() : network.nodes().get(first).out();
  }

  /** {@code features.3: (N,64,32,32) -> (N,128,16,16)  [vgg19_nr.nr:12]}. */
  private static String comment(IrNode node, Shape in) {
    return node.name() + ": " + nchw(in) + " -> " + nchw(node.out()) + "  [" + where(node) + "]";
  }

  private static String where(IrNode node) {
    SourceLocation at = node.location();
    return fileName(at.file()) + ":" + at.line();
  }

  /** The file name without its directories: generated code must not depend on the build machine. */
  static String fileName(String path) {
    int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
    return path.substring(slash + 1);
  }

  private static String nchw(Shape s) {
    return "(N," + s.channels() + "," + s.height() + "," + s.width() + ")";
  }

  private static TrainerDescriptor.ScheduleDescriptor schedule(ScheduleIr s) {
    return new TrainerDescriptor.ScheduleDescriptor(s.name());
  }

  /**
   * Java field names from the IR's module paths ({@code stage2.block0.conv1} becomes {@code
   * stage2Block0Conv1}), made unique and kept clear of the names generated code uses itself.
   */
  static List<String> fieldNames(NetworkIr network) {
    Set<String> taken = new HashSet<>(RESERVED);
    List<String> names = new ArrayList<>();
    for (IrNode node : network.nodes()) {
      String base = lowerCamel(node.name());
      if (base.isEmpty() || !Character.isJavaIdentifierStart(base.charAt(0))) base = "l" + base;
      if (SourceVersion.isKeyword(base)) base = base + "Layer";
      String name = base;
      for (int k = 2; !taken.add(name); k++) name = base + k;
      names.add(name);
    }
    return names;
  }

  static String lowerCamel(String name) {
    String upper = upperCamel(name);
    return upper.isEmpty() ? upper : Character.toLowerCase(upper.charAt(0)) + upper.substring(1);
  }

  static String upperCamel(String name) {
    StringBuilder out = new StringBuilder();
    boolean up = true;
    for (char ch : name.toCharArray()) {
      if (!Character.isLetterOrDigit(ch)) {
        up = true;
      } else {
        // keep "stage1.11" and "stage11.1" apart: stage1_11, stage11_1
        boolean digits = up && Character.isDigit(ch) && !out.isEmpty()
            && Character.isDigit(out.charAt(out.length() - 1));
        if (digits) out.append('_');
        out.append(up ? Character.toUpperCase(ch) : ch);
        up = false;
      }
    }
    return out.toString().toUpperCase(Locale.ROOT).equals(out.toString()) && out.length() > 1
        ? out.charAt(0) + out.substring(1).toLowerCase(Locale.ROOT)
        : out.toString();
  }
}
