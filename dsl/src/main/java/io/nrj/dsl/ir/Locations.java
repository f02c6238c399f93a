package io.nrj.dsl.ir;

import io.nrj.dsl.SourceLocation;
import java.util.ArrayList;
import java.util.List;

/**
 * IR with every source location replaced by {@link SourceLocation#UNKNOWN} (and a module's file and
 * source text emptied), so that IR built from different texts can be compared with {@code equals}:
 * records compare their locations too. Used by the printer's round trip and by tests.
 */
public final class Locations {
  private Locations() {}

  private static final SourceLocation NONE = SourceLocation.UNKNOWN;

  public static NrModule strip(NrModule m) {
    List<NetworkIr> networks = new ArrayList<>();
    for (NetworkIr n : m.networks()) networks.add(strip(n));
    List<ScheduleIr> schedules = new ArrayList<>();
    for (ScheduleIr s : m.schedules()) schedules.add(strip(s));
    List<TrainIr> trains = new ArrayList<>();
    for (TrainIr t : m.trains()) trains.add(new TrainIr(t.network(), t.schedule(), NONE));
    return new NrModule("", "", networks, schedules, trains);
  }

  public static NetworkIr strip(NetworkIr n) {
    List<IrNode> nodes = new ArrayList<>();
    for (IrNode node : n.nodes()) nodes.add(strip(node));
    return new NetworkIr(n.name(), n.input(), n.classes(), nodes, n.init(), NONE);
  }

  public static ScheduleIr strip(ScheduleIr s) {
    return new ScheduleIr(
        s.name(), s.epochs(), s.batch(), s.testBatch(), s.sgd(), s.lrSteps(), s.gamma(), s.augment(),
        s.normalize(), s.dataset(), s.precision(), s.nr(), NONE);
  }

  public static IrNode strip(IrNode n) {
    return switch (n) {
      case IrNode.Conv c ->
          new IrNode.Conv(
              c.id(), c.name(), c.inputs(), c.in(), c.out(), c.convIndex(), c.kernel(), c.stride(), c.pad(),
              c.relu(), c.isInput(), c.fixed(), c.splitOutput(), NONE);
      case IrNode.Relu r -> new IrNode.Relu(r.id(), r.name(), r.inputs(), r.out(), NONE);
      case IrNode.MaxPool p -> new IrNode.MaxPool(p.id(), p.name(), p.inputs(), p.out(), p.kernel(), p.stride(), p.pad(), NONE);
      case IrNode.AvgPool p -> new IrNode.AvgPool(p.id(), p.name(), p.inputs(), p.out(), p.kernel(), p.stride(), p.pad(), NONE);
      case IrNode.Add a -> new IrNode.Add(a.id(), a.name(), a.inputs(), a.out(), NONE);
      case IrNode.Concat c -> new IrNode.Concat(c.id(), c.name(), c.inputs(), c.out(), NONE);
      case IrNode.Classifier c -> new IrNode.Classifier(c.id(), c.name(), c.inputs(), c.in(), c.out(), c.classes(), NONE);
    };
  }
}
