package io.nrj.runtime.model;

import io.nrj.dsl.ir.IrNode;
import io.nrj.runtime.Tensor;

/**
 * One named tensor of a network on the device: a view into the network's contiguous parameter
 * block ({@code value}) and, when trainable, into its gradient block ({@code grad}); running
 * statistics live in a separate buffer block and have no gradient.
 *
 * @param offset element offset of {@code value} in its block (the parameter block for trainable
 *     tensors, the buffer block otherwise)
 */
public record Parameter(
    String name, int[] shape, ParamKind kind, IrNode.Conv conv, Tensor value, Tensor grad, long offset) {}
