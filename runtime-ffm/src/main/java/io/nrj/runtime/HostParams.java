package io.nrj.runtime;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;

/**
 * Named tensors on the heap, in a stable order: a model's parameters and buffers (or optimiser
 * state) as a checkpoint stores them.
 *
 * <p>Naming contract (PyTorch state_dict style), for an IR node named {@code N}:
 *
 * <ul>
 *   <li>NR conv: {@code N.conv.weight} (O, I, k, k), {@code N.bn.weight}, {@code N.bn.bias},
 *       {@code N.bn.running_mean}, {@code N.bn.running_var} (all (O)), {@code
 *       N.bn.num_batches_tracked} (shape [], stored as a float here, int64 in checkpoints).
 *   <li>classifier: {@code N.weight} (K, C, 1, 1) and {@code N.bias} (K).
 * </ul>
 *
 * Momentum buffers use the same names as their parameters.
 */
public final class HostParams {
  private final LinkedHashMap<String, HostTensor> tensors = new LinkedHashMap<>();

  public HostTensor get(String name) {
    HostTensor t = tensors.get(name);
    if (t == null) throw new IllegalArgumentException("no tensor named '" + name + "'");
    return t;
  }

  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  public HostParams put(String name, HostTensor t) {
    tensors.put(name, t);
    return this;
  }

  public HostParams remove(String name) {
    tensors.remove(name);
    return this;
  }

  public SequencedMap<String, HostTensor> asMap() {
    return Collections.unmodifiableSequencedMap(tensors);
  }

  public HostParams copy() {
    HostParams c = new HostParams();
    for (Map.Entry<String, HostTensor> e : tensors.entrySet()) c.put(e.getKey(), e.getValue().copy());
    return c;
  }
}
