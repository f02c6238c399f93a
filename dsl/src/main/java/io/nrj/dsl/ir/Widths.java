package io.nrj.dsl.ir;

import java.util.Arrays;

/**
 * The widths table: the output channel count of every NR convolution, indexed by
 * {@link IrNode.Conv#convIndex()}. Trainers take every channel count from here, never from a
 * literal, so rejuvenation (spec §5) only has to hand them a new table. A width of 0 marks a fully
 * dead layer that was deleted at rejuvenation (spec §12 B1).
 */
public final class Widths {
  private final int[] out;

  public Widths(int[] out) {
    this.out = out.clone();
    for (int w : this.out) {
      if (w < 0) throw new IllegalArgumentException("negative width in " + this);
    }
  }

  public int size() {
    return out.length;
  }

  public int get(int convIndex) {
    return out[convIndex];
  }

  public int[] toArray() {
    return out.clone();
  }

  public Widths with(int convIndex, int width) {
    int[] copy = out.clone();
    copy[convIndex] = width;
    return new Widths(copy);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Widths w && Arrays.equals(out, w.out);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(out);
  }

  @Override
  public String toString() {
    return Arrays.toString(out);
  }
}
