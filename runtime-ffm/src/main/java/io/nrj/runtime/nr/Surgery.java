package io.nrj.runtime.nr;

import io.nrj.runtime.HostParams;
import io.nrj.runtime.HostTensor;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * How to build the rejuvenated tensors from the sparse network's (spec §5.2 to §5.4), without
 * holding the old weights: every replaced tensor's full new value with random or constant init
 * ({@link #fresh}), the survivor blocks to copy over it from the old tensor ({@link #survivors}),
 * and the tensors that disappear ({@link #deleted}). Every other tensor passes through unchanged.
 *
 * <p>On the device ({@code LayerNetwork.rejuvenate}) the fresh values are uploaded and the
 * survivors gathered from the old device tensors with {@code Backend.gatherBlock}, so the old
 * weights never travel to the host; {@link #applyOnHost} gives the same bits on the heap.
 *
 * @param fresh the new value of every replaced tensor, in the old tensors' order
 * @param survivors copies from old tensors into fresh ones, applied after the fresh values
 * @param deleted tensors of fully dead layers (spec §12 B1), which the new network lacks
 */
public record Surgery(HostParams fresh, List<Survivors> survivors, Set<String> deleted) {
  public Surgery {
    survivors = List.copyOf(survivors);
    deleted = Set.copyOf(deleted);
  }

  /**
   * One survivor block. Both tensors are viewed as (rows, cols, inner) row-major: a conv weight
   * (O, I, k, k) has inner k·k, a classifier weight (K, C, 1, 1) inner 1, a BN vector (C) one column
   * and inner 1. Then {@code new[r, q, :] = old[rows[r], cols[q], :]} for every r and q.
   *
   * @param oldCols columns of the old tensor
   * @param newCols columns of the new tensor (at least {@code cols.length})
   */
  public record Survivors(String name, int[] rows, int[] cols, int oldCols, int newCols, int inner) {
    public Survivors {
      if (cols.length > newCols) {
        throw new IllegalArgumentException(name + ": " + cols.length + " survivor columns in " + newCols);
      }
    }

    /** Applies this copy on the heap: {@code dst} (…, newCols, inner) from {@code src} (…, oldCols, inner). */
    void apply(float[] src, float[] dst) {
      for (int r = 0; r < rows.length; r++) {
        for (int q = 0; q < cols.length; q++) {
          System.arraycopy(src, (rows[r] * oldCols + cols[q]) * inner, dst, (r * newCols + q) * inner, inner);
        }
      }
    }

    @Override
    public String toString() {
      return name + " rows " + Arrays.toString(rows) + " cols " + Arrays.toString(cols);
    }
  }

  /**
   * The rejuvenated tensors on the heap from the sparse network's {@code old} ones (all of them),
   * in {@code old}'s order with deleted tensors left out.
   */
  public HostParams applyOnHost(HostParams old) {
    HostParams out = new HostParams();
    for (var e : old.asMap().entrySet()) {
      String name = e.getKey();
      if (deleted.contains(name)) continue;
      out.put(name, fresh.contains(name) ? fresh.get(name).copy() : e.getValue().copy());
    }
    for (Survivors s : survivors) {
      s.apply(old.get(s.name()).data(), out.get(s.name()).data());
    }
    return out;
  }

  /**
   * Every tensor of the new network given wholesale by {@code params} (a hand-made rejuvenation):
   * nothing to copy from the old network.
   */
  public static Surgery replaceAll(HostParams params) {
    return new Surgery(params, List.of(), Set.of());
  }

  /** The fresh value of {@code name}, or null when the tensor passes through. */
  public HostTensor freshOrNull(String name) {
    return fresh.contains(name) ? fresh.get(name) : null;
  }
}
