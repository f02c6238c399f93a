package io.nrj.runtime.model;

import io.nrj.dsl.ir.IrNode;

/**
 * A tensor a layer asks the network to allocate for it: its checkpoint name (HostParams naming),
 * shape and kind. {@code conv} is the IR conv a BN tensor belongs to (null for the classifier),
 * which the optimiser needs to decide whether the L1 term applies.
 */
public record ParamSpec(String name, int[] shape, ParamKind kind, IrNode.Conv conv) {
  public long numel() {
    long n = 1;
    for (int d : shape) n *= d;
    return n;
  }
}
