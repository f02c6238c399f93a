package io.nrj.processor.descriptor;

import io.nrj.dsl.ir.Shape;
import java.util.List;

/**
 * Everything {@code TrainerWriter} needs to write one trainer class, with every decision already
 * made by {@link TrainerDescriptorFactory}: names, the order of layers, which tensor feeds which,
 * how each channel count follows from the widths table, and the comments to print. The writer only
 * spells this out in Java.
 *
 * @param packageName package of the generated class
 * @param className simple name, for example {@code Vgg19NrTrainer}
 * @param network the network's name in the {@code .nr} file
 * @param sourceFile the {@code .nr} file (or the annotated interface) the network came from
 * @param source the {@code .nr} text the trainer recompiles its IR from at run time
 * @param schedule the bound schedule, or null when the file binds none to this network
 * @param input the image shape (C, H, W)
 * @param classes number of classes
 * @param nodeCount number of IR nodes, checked against the IR a trainer is built with
 * @param declaredWidths the widths table as declared, indexed by conv index
 * @param layers the layers in forward order
 * @param generator the generator's name and version, printed in the class javadoc
 */
public record TrainerDescriptor(
    String packageName,
    String className,
    String network,
    String sourceFile,
    String source,
    ScheduleDescriptor schedule,
    Shape input,
    int classes,
    int nodeCount,
    List<Integer> declaredWidths,
    List<LayerDescriptor> layers,
    String generator) {
  public TrainerDescriptor {
    declaredWidths = List.copyOf(declaredWidths);
    layers = List.copyOf(layers);
  }

  /** The convolutions, in forward order. */
  public List<LayerDescriptor.ConvBn> convs() {
    return layers.stream()
        .filter(LayerDescriptor.ConvBn.class::isInstance)
        .map(LayerDescriptor.ConvBn.class::cast)
        .toList();
  }

  /** The last layer, which is always the classifier. */
  public LayerDescriptor.Classifier classifier() {
    return (LayerDescriptor.Classifier) layers.getLast();
  }

  /** The schedule bound by {@code train NETWORK with SCHEDULE}: the trainer's default recipe. */
  public record ScheduleDescriptor(String name) {}
}
