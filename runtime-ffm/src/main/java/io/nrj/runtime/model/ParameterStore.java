package io.nrj.runtime.model;

import io.nrj.runtime.Backend;
import io.nrj.runtime.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network's named tensors on the device: every trainable parameter in one contiguous block, their
 * gradients in a second block with the same layout, and the BN running statistics in a third. The
 * optimiser therefore updates all parameters with one call, and one fill zeroes all gradients.
 * Order is the order the layers declared them (forward order), which is also the checkpoint order.
 * Every tensor starts at a multiple of {@link #ALIGN} floats (the gaps stay zero, and SGD keeps
 * them zero), so device pointers stay 256-byte aligned after rejuvenation to odd widths.
 */
public final class ParameterStore implements AutoCloseable {
  /** Alignment of every tensor in the blocks, in floats: 64 floats, 256 bytes (as cudaMalloc). */
  public static final int ALIGN = 64;

  private final Tensor params;
  private final Tensor grads;
  private final Tensor buffers;
  private final LinkedHashMap<String, Parameter> byName = new LinkedHashMap<>();
  private final long paramCount;

  /** Allocates the blocks for {@code specs} (names must be unique). */
  public ParameterStore(Backend backend, List<ParamSpec> specs) {
    long p = 0;
    long b = 0;
    long count = 0;
    for (ParamSpec s : specs) {
      if (s.kind().trainable()) {
        p = aligned(p + s.numel());
        count += s.numel();
      } else {
        b = aligned(b + s.numel());
      }
    }
    paramCount = count;
    params = p == 0 ? null : backend.allocate(Math.toIntExact(p));
    grads = p == 0 ? null : backend.allocate(Math.toIntExact(p));
    buffers = b == 0 ? null : backend.allocate(Math.toIntExact(b));
    long po = 0;
    long bo = 0;
    for (ParamSpec s : specs) {
      Parameter param;
      if (s.kind().trainable()) {
        param =
            new Parameter(
                s.name(), s.shape().clone(), s.kind(), s.conv(), params.view(po, s.shape()),
                grads.view(po, s.shape()), po);
        po = aligned(po + s.numel());
      } else {
        param = new Parameter(s.name(), s.shape().clone(), s.kind(), s.conv(), buffers.view(bo, s.shape()), null, bo);
        bo = aligned(bo + s.numel());
      }
      if (byName.put(s.name(), param) != null) {
        throw new IllegalArgumentException("two tensors named '" + s.name() + "'");
      }
    }
  }

  public Parameter get(String name) {
    Parameter p = byName.get(name);
    if (p == null) throw new IllegalArgumentException("no tensor named '" + name + "'");
    return p;
  }

  /** Every tensor, trainable or not, in declaration order. */
  public List<Parameter> all() {
    return Collections.unmodifiableList(new ArrayList<>(byName.values()));
  }

  public Map<String, Parameter> byName() {
    return Collections.unmodifiableMap(byName);
  }

  /** The contiguous block of all trainable parameters (null when there are none). */
  public Tensor paramBlock() {
    return params;
  }

  /** The gradient block, laid out like {@link #paramBlock()}. */
  public Tensor gradBlock() {
    return grads;
  }

  /** {@code n} rounded up to a multiple of {@link #ALIGN}. */
  static long aligned(long n) {
    return (n + ALIGN - 1) / ALIGN * ALIGN;
  }

  /** Number of trainable scalars (the parameter block is larger by the alignment gaps). */
  public long paramCount() {
    return paramCount;
  }

  public long bytes() {
    long n = 0;
    if (params != null) n += 2 * params.numel(); // values and gradients, gaps included
    if (buffers != null) n += buffers.numel();
    return 4 * n;
  }

  @Override
  public void close() {
    if (params != null) params.close();
    if (grads != null) grads.close();
    if (buffers != null) buffers.close();
  }
}
