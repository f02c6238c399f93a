package io.nrj.processor;

import io.nrj.dsl.SourceLocation;
import io.nrj.dsl.ir.InitScheme;
import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrModule;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.Shape;
import io.nrj.dsl.ir.TrainIr;
import java.util.ArrayList;
import java.util.List;

/**
 * Networks built by hand as the DSL's resolver would build them, so the descriptor and writer are
 * tested without the DSL. Shapes are computed here with the usual conv/pool arithmetic; each node
 * gets the line it would have in a {@code .nr} file.
 */
public final class IrFixtures {
  private IrFixtures() {}

  /** LeNet-5 for MNIST: conv 20 k5, pool, conv 50 k5, pool, conv 500 k4 (FC as conv), 10 classes. */
  public static NetworkIr lenet5() {
    Builder b = new Builder("lenet5.nr", new Shape(1, 28, 28));
    int c1 = b.conv("conv1", IrNode.IMAGE, 20, 5, 1, 0, true, false);
    int p1 = b.maxPool("pool1", c1, 2, 2);
    int c2 = b.conv("conv2", p1, 50, 5, 1, 0, true, false);
    int p2 = b.maxPool("pool2", c2, 2, 2);
    int c3 = b.conv("fc", p2, 500, 4, 1, 0, true, false);
    b.classifier("classifier", c3, 10);
    return b.build("lenet5", 10, InitScheme.DEFAULT);
  }

  /**
   * A small residual network: a stem, one basic block whose second conv is fixed (it feeds the
   * sum), a ReLU after the sum, a concatenation of the block with the stem, average pooling and a
   * classifier.
   */
  public static NetworkIr tinyResnet() {
    Builder b = new Builder("tiny_resnet.nr", new Shape(3, 8, 8));
    int stem = b.conv("stem", IrNode.IMAGE, 8, 3, 1, 1, true, false);
    int a = b.conv("block.conv1", stem, 8, 3, 1, 1, true, false);
    int c = b.conv("block.conv2", a, 8, 3, 1, 1, false, true);
    int sum = b.add("block.add", c, stem);
    int relu = b.relu("block.relu", sum);
    int cat = b.concat("join", relu, stem);
    int pool = b.avgPool("pool", cat, 2, 2);
    b.classifier("classifier", pool, 4);
    return b.build("tiny_resnet", 4, new InitScheme(1.0, InitScheme.ClassifierInit.HE));
  }

  public static ScheduleIr schedule(String name) {
    return new ScheduleIr(
        name, 3, 16, 100, new ScheduleIr.Sgd(0.05, 0.9, 5e-4), List.of(2), 0.1,
        ScheduleIr.Augment.NONE, ScheduleIr.Normalize.NONE, "mnist", ScheduleIr.Precision.FP32,
        null, new SourceLocation("lenet5.nr", 20, 1));
  }

  public static NrModule module(NetworkIr network, ScheduleIr schedule) {
    List<TrainIr> trains =
        schedule == null
            ? List.of()
            : List.of(new TrainIr(network.name(), schedule.name(), new SourceLocation("x.nr", 30, 1)));
    return new NrModule(
        network.location().file(), "", List.of(network),
        schedule == null ? List.of() : List.of(schedule), trains);
  }

  private static final class Builder {
    private final String file;
    private final Shape input;
    private final List<IrNode> nodes = new ArrayList<>();
    private int convs;

    Builder(String file, Shape input) {
      this.file = file;
      this.input = input;
    }

    private Shape out(int id) {
      return id == IrNode.IMAGE ? input : nodes.get(id).out();
    }

    private SourceLocation at() {
      return new SourceLocation(file, nodes.size() + 3, 3);
    }

    int conv(String name, int in, int k, int kernel, int stride, int pad, boolean relu, boolean fixed) {
      Shape x = out(in);
      int h = (x.height() + 2 * pad - kernel) / stride + 1;
      int w = (x.width() + 2 * pad - kernel) / stride + 1;
      return add(
          new IrNode.Conv(
              nodes.size(), name, List.of(in), x, new Shape(k, h, w), convs++, kernel, stride, pad,
              relu, in == IrNode.IMAGE, fixed, false, at()));
    }

    int maxPool(String name, int in, int kernel, int stride) {
      Shape x = out(in);
      Shape y = new Shape(x.channels(), (x.height() - kernel) / stride + 1, (x.width() - kernel) / stride + 1);
      return add(new IrNode.MaxPool(nodes.size(), name, List.of(in), y, kernel, stride, 0, at()));
    }

    int avgPool(String name, int in, int kernel, int stride) {
      Shape x = out(in);
      Shape y = new Shape(x.channels(), (x.height() - kernel) / stride + 1, (x.width() - kernel) / stride + 1);
      return add(new IrNode.AvgPool(nodes.size(), name, List.of(in), y, kernel, stride, 0, at()));
    }

    int add(String name, int a, int b) {
      return add(new IrNode.Add(nodes.size(), name, List.of(a, b), out(a), at()));
    }

    int relu(String name, int in) {
      return add(new IrNode.Relu(nodes.size(), name, List.of(in), out(in), at()));
    }

    int concat(String name, int a, int b) {
      Shape x = out(a);
      return add(
          new IrNode.Concat(
              nodes.size(), name, List.of(a, b),
              x.withChannels(x.channels() + out(b).channels()), at()));
    }

    void classifier(String name, int in, int classes) {
      add(new IrNode.Classifier(nodes.size(), name, List.of(in), out(in), new Shape(classes, 1, 1), classes, at()));
    }

    private int add(IrNode node) {
      nodes.add(node);
      return node.id();
    }

    NetworkIr build(String name, int classes, InitScheme init) {
      return new NetworkIr(name, input, classes, nodes, init, new SourceLocation(file, 1, 1));
    }
  }
}
