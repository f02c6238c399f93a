package io.nrj.runtime.cuda;

import io.nrj.dsl.SourceLocation;
import io.nrj.dsl.ir.InitScheme;
import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.Shape;
import java.util.ArrayList;
import java.util.List;

/** Builds small IRs by hand, inferring shapes as the resolver does (as the NR tests do). */
final class TinyIr {
  private static final SourceLocation AT = SourceLocation.UNKNOWN;
  private final Shape input;
  private final List<IrNode> nodes = new ArrayList<>();
  private int convs;

  TinyIr(int channels, int size) {
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

  /** VGG-style chain: c1 (input) 3->8, c2 8->8, maxpool 2, c3 8->12, c4 12->12 (1x1), classifier 5. */
  static NetworkIr vgg() {
    TinyIr b = new TinyIr(3, 8);
    int x = b.conv("f.c1", IrNode.IMAGE, 8, 3, 1, true, true, false);
    x = b.conv("f.c2", x, 8, 3);
    x = b.maxPool("f.pool", x, 2);
    x = b.conv("f.c3", x, 12, 3);
    x = b.conv("f.c4", x, 12, 1);
    return b.classifier("classifier", x, 5);
  }

  /** Bottleneck-free residual net with an identity and a strided projection shortcut. */
  static NetworkIr resnet() {
    TinyIr b = new TinyIr(3, 8);
    int stem = b.conv("stem", IrNode.IMAGE, 8, 3, 1, true, true, true);
    int a = b.conv("s1.a", stem, 8, 3);
    int bb = b.conv("s1.b", a, 8, 3, 1, false, false, true);
    int r1 = b.relu("s1.relu", b.add("s1.add", bb, stem));
    int c = b.conv("s2.c", r1, 12, 3, 2, true, false, false);
    int d = b.conv("s2.d", c, 16, 3, 1, false, false, true);
    int proj = b.conv("s2.proj", r1, 16, 1, 2, false, false, true);
    int r2 = b.relu("s2.relu", b.add("s2.add", d, proj));
    return b.classifier("fc", r2, 4);
  }

  /** A dense block (two layers, concatenations) and a transition with average pooling. */
  static NetworkIr dense() {
    TinyIr b = new TinyIr(3, 8);
    int stem = b.conv("stem", IrNode.IMAGE, 6, 3, 1, true, true, false);
    int a = b.conv("d1.a", stem, 8, 1);
    int bb = b.conv("d1.b", a, 4, 3);
    int cat1 = b.concat("d1.cat", stem, bb);
    int c = b.conv("d2.c", cat1, 8, 1);
    int d = b.conv("d2.d", c, 4, 3);
    int cat2 = b.concat("d2.cat", cat1, d);
    int t = b.conv("t.conv", cat2, 7, 1);
    int p = b.avgPool("t.pool", t, 2);
    return b.classifier("classifier", p, 3);
  }
}
