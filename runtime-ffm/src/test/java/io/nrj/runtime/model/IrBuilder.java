package io.nrj.runtime.model;

import io.nrj.dsl.SourceLocation;
import io.nrj.dsl.ir.InitScheme;
import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.Shape;
import java.util.ArrayList;
import java.util.List;

/** Builds small IRs by hand for tests (shapes inferred as the resolver would). */
public final class IrBuilder {
  private static final SourceLocation L = SourceLocation.UNKNOWN;
  private final String name;
  private final Shape input;
  private final List<IrNode> nodes = new ArrayList<>();
  private int convs;

  public IrBuilder(String name, Shape input) {
    this.name = name;
    this.input = input;
  }

  private Shape out(int id) {
    return id == IrNode.IMAGE ? input : nodes.get(id).out();
  }

  public int conv(int in, int channels, int k, int stride, int pad, boolean relu, boolean fixed) {
    Shape s = out(in);
    int h = (s.height() + 2 * pad - k) / stride + 1;
    int w = (s.width() + 2 * pad - k) / stride + 1;
    int id = nodes.size();
    nodes.add(
        new IrNode.Conv(
            id, "c" + convs, List.of(in), s, new Shape(channels, h, w), convs++, k, stride, pad, relu,
            in == IrNode.IMAGE, fixed, false, L));
    return id;
  }

  public int relu(int in) {
    int id = nodes.size();
    nodes.add(new IrNode.Relu(id, "relu" + id, List.of(in), out(in), L));
    return id;
  }

  public int maxPool(int in, int k, int stride, int pad) {
    Shape s = out(in);
    int id = nodes.size();
    Shape o = new Shape(s.channels(), (s.height() + 2 * pad - k) / stride + 1, (s.width() + 2 * pad - k) / stride + 1);
    nodes.add(new IrNode.MaxPool(id, "pool" + id, List.of(in), o, k, stride, pad, L));
    return id;
  }

  public int avgPool(int in, int k, int stride, int pad) {
    Shape s = out(in);
    int id = nodes.size();
    Shape o = new Shape(s.channels(), (s.height() + 2 * pad - k) / stride + 1, (s.width() + 2 * pad - k) / stride + 1);
    nodes.add(new IrNode.AvgPool(id, "pool" + id, List.of(in), o, k, stride, pad, L));
    return id;
  }

  public int add(int... ins) {
    int id = nodes.size();
    List<Integer> list = new ArrayList<>();
    for (int i : ins) list.add(i);
    nodes.add(new IrNode.Add(id, "add" + id, list, out(ins[0]), L));
    return id;
  }

  public int concat(int... ins) {
    int id = nodes.size();
    List<Integer> list = new ArrayList<>();
    int c = 0;
    for (int i : ins) {
      list.add(i);
      c += out(i).channels();
    }
    nodes.add(new IrNode.Concat(id, "cat" + id, list, out(ins[0]).withChannels(c), L));
    return id;
  }

  public NetworkIr classifier(int in, int classes, InitScheme init) {
    int id = nodes.size();
    nodes.add(new IrNode.Classifier(id, "fc", List.of(in), out(in), new Shape(classes, 1, 1), classes, L));
    return new NetworkIr(name, input, classes, nodes, init, L);
  }

  /** A graph with every node kind: conv, residual add, relu, max pool, concat, avg pool, classifier. */
  public static NetworkIr everyKind() {
    IrBuilder b = new IrBuilder("every_kind", new Shape(2, 6, 6));
    int c0 = b.conv(IrNode.IMAGE, 3, 3, 1, 1, true, false);
    int c1 = b.conv(c0, 3, 3, 1, 1, false, true);
    int sum = b.add(c1, c0);
    int r = b.relu(sum);
    int p = b.maxPool(r, 2, 2, 0);
    int c2 = b.conv(p, 2, 1, 1, 0, true, false);
    int cat = b.concat(p, c2);
    int a = b.avgPool(cat, 3, 1, 1);
    return b.classifier(a, 4, new InitScheme(1.0, InitScheme.ClassifierInit.HE));
  }

  /** A small VGG-style chain: conv 4, conv 6, pool, conv 5, classifier (3 classes) on 1x8x8. */
  public static NetworkIr chain() {
    IrBuilder b = new IrBuilder("chain", new Shape(1, 8, 8));
    int c0 = b.conv(IrNode.IMAGE, 4, 3, 1, 1, true, false);
    int c1 = b.conv(c0, 6, 3, 1, 1, true, false);
    int p = b.maxPool(c1, 2, 2, 0);
    int c2 = b.conv(p, 5, 3, 1, 1, true, false);
    return b.classifier(c2, 3, new InitScheme(0.5, InitScheme.ClassifierInit.NORMAL_001));
  }
}
