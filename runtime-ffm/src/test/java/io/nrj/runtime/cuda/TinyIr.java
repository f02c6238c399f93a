package io.nrj.runtime.cuda;

import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.runtime.nr.IrBuilder;

/** The small networks the GPU parity tests train, built with the NR tests' {@link IrBuilder}. */
final class TinyIr {
  private TinyIr() {}

  /** VGG-style chain: c1 (input) 3->8, c2 8->8, maxpool 2, c3 8->12, c4 12->12 (1x1), classifier 5. */
  static NetworkIr vgg() {
    IrBuilder b = new IrBuilder(3, 8);
    int x = b.conv("f.c1", IrNode.IMAGE, 8, 3, 1, true, true, false);
    x = b.conv("f.c2", x, 8, 3);
    x = b.maxPool("f.pool", x, 2);
    x = b.conv("f.c3", x, 12, 3);
    x = b.conv("f.c4", x, 12, 1);
    return b.classifier("classifier", x, 5);
  }

  /** Bottleneck-free residual net with an identity and a strided projection shortcut. */
  static NetworkIr resnet() {
    IrBuilder b = new IrBuilder(3, 8);
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
    IrBuilder b = new IrBuilder(3, 8);
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
