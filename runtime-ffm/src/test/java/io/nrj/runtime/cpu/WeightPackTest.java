package io.nrj.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The direct, channel-lane and 1x1 kernels' weight packing against its definition, element by
 * element: forward rows, and backward data's flipped, transposed filters, in blocks of 8 and 32
 * channels with a partial last block (zeros past the channels).
 */
class WeightPackTest {
  @ParameterizedTest(name = "k={0} c={1} r={2} s={3} block={4}")
  @CsvSource({"16, 16, 3, 3, 8", "64, 64, 3, 3, 32", "20, 13, 5, 3, 8", "33, 7, 3, 5, 32", "1, 1, 1, 1, 8", "64, 13, 1, 1, 8"})
  void packsAsDefined(int k, int c, int r, int s, int block) {
    int nq = c * r * s, krs = k * r * s;
    MemorySegment w = Arena.ofAuto().allocate((long) k * nq * Float.BYTES);
    for (long i = 0; i < (long) k * nq; i++) w.setAtIndex(CpuBackend.F, i, 1 + i);

    float[] rows = DirectConv.packRows(filled((k + block - 1) / block * block * nq), w, k, block, nq);
    float[] expectRows = new float[rows.length];
    for (int o = 0; o < (k + block - 1) / block * block; o++) {
      for (int q = 0; q < nq; q++) {
        expectRows[(o / block * nq + q) * block + o % block] = o < k ? w.getAtIndex(CpuBackend.F, (long) o * nq + q) : 0f;
      }
    }
    assertArrayEquals(expectRows, rows, "forward rows");

    float[] flipped = DirectConv.packFlippedTransposed(filled((c + block - 1) / block * block * krs), w, k, c, r, s, block);
    float[] expectFlipped = new float[flipped.length];
    for (int cc = 0; cc < (c + block - 1) / block * block; cc++) {
      for (int q = 0; q < krs; q++) {
        int kk = q / (r * s), rr = r - 1 - (q / s) % r, ss = s - 1 - q % s;
        long e = (((long) kk * c + cc) * r + rr) * s + ss;
        expectFlipped[(cc / block * krs + q) * block + cc % block] = cc < c ? w.getAtIndex(CpuBackend.F, e) : 0f;
      }
    }
    assertArrayEquals(expectFlipped, flipped, "backward-data filters");
  }

  // a buffer left dirty from an earlier call: the zero padding must be written, not assumed
  private static float[] filled(int n) {
    float[] a = new float[n];
    java.util.Arrays.fill(a, -7f);
    return a;
  }
}
