package io.nrj.processor.descriptor;

import java.util.List;

/**
 * How one layer's output channel count follows from the widths table: the IR's shape rules ({@link
 * io.nrj.dsl.ir.NetworkIr#shapes}) unrolled per layer, so a trainer re-plans for any table without
 * interpreting the graph.
 */
public sealed interface ChannelRule {
  /** The layer's field name; the generated {@code Channels} record has a component of this name. */
  String field();

  /** An NR convolution: its entry of the widths table. */
  record Width(String field, int convIndex) implements ChannelRule {}

  /** ReLU and pooling pass their input's channels through; {@code from} is null for the image. */
  record Same(String field, String from) implements ChannelRule {}

  /** A residual sum takes the first input's width that is not 0 (spec §12 B1). */
  record FirstNonZero(String field, List<String> from) implements ChannelRule {
    public FirstNonZero {
      from = List.copyOf(from);
    }
  }

  /** A concatenation sums its inputs' channels ({@code null} entries stand for the image). */
  record Sum(String field, List<String> from) implements ChannelRule {
    public Sum {
      from = List.copyOf(from);
    }
  }

  /** The classifier: the number of classes, fixed by the data set. */
  record Classes(String field, int classes) implements ChannelRule {}
}
