package io.nrj.runtime.nr;

import io.nrj.dsl.SourceLocation;
import io.nrj.dsl.ir.InitScheme;
import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.Shape;
import java.util.ArrayList;
import java.util.List;

/** Builds small IRs by hand, inferring shapes as the resolver does. Node ids are returned. */
final class IrBuilder {
  private static final SourceLocation AT = SourceLocation.UNKNOWN;
  private final Shape input;
  private final List<IrNode> nodes = new ArrayList<>();
  private int convs;

  IrBuilder(int channels, int size) {
    this.input = new Shape(channels, size, size);
  }

  private Shape shape(int id) {
    return id == IrNode.IMAGE ? input : nodes.get(id).out();
  }

  private static int spatial(int in, int k, int s, int p) {
    return (in + 2 * p - k) / s + 1;
  }

  int conv(String name, int in, int out, int k, int stride, boolean relu, boolean isInput, boolean fixed) {
    Shape s = shape(in);
    int pad = k / 2;
    Shape o = new Shape(out, spatial(s.height(), k, stride, pad), spatial(s.width(), k, stride, pad));
    int id = nodes.size();
    nodes.add(
        new IrNode.Conv(id, name, List.of(in), s, o, convs++, k, stride, pad, relu, isInput, fixed, false, AT));
    return id;
  }

  int conv(String name, int in, int out, int k) {
    return conv(name, in, out, k, 1, true, false, false);
  }

  int relu(String name, int in) {
    int id = nodes.size();
    nodes.add(new IrNode.Relu(id, name, List.of(in), shape(in), AT));
    return id;
  }

  int maxPool(String name, int in, int k) {
    Shape s = shape(in);
    int id = nodes.size();
    nodes.add(
        new IrNode.MaxPool(id, name, List.of(in), new Shape(s.channels(), s.height() / k, s.width() / k), k, k, 0, AT));
    return id;
  }

  int avgPool(String name, int in, int k) {
    Shape s = shape(in);
    int id = nodes.size();
    nodes.add(
        new IrNode.AvgPool(id, name, List.of(in), new Shape(s.channels(), s.height() / k, s.width() / k), k, k, 0, AT));
    return id;
  }

  int add(String name, int... in) {
    int id = nodes.size();
    List<Integer> l = new ArrayList<>();
    for (int i : in) l.add(i);
    nodes.add(new IrNode.Add(id, name, l, shape(in[0]), AT));
    return id;
  }

  int concat(String name, int... in) {
    int id = nodes.size();
    List<Integer> l = new ArrayList<>();
    int c = 0;
    for (int i : in) {
      l.add(i);
      c += shape(i).channels();
    }
    nodes.add(new IrNode.Concat(id, name, l, shape(in[0]).withChannels(c), AT));
    return id;
  }

  NetworkIr classifier(String name, int in, int classes) {
    int id = nodes.size();
    nodes.add(new IrNode.Classifier(id, name, List.of(in), shape(in), new Shape(classes, 1, 1), classes, AT));
    return new NetworkIr("test", input, classes, nodes, InitScheme.DEFAULT, AT);
  }
}
