package io.nrj.runtime.cpu;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/** Dev harness: micro-kernels on L1-resident data, single-thread CPU-time GFLOP/s. */
public final class KernelPeakBench {
  public static void main(String[] args) {
    ThreadMXBean tb = ManagementFactory.getThreadMXBean();
    // direct8x32: 16 input planes of a 32x32 image padded to 34x34, 3x3 taps
    int wp = 34, ps = DirectConv.planeStride(34, 34, 3), c = 16, nq = c * 9;
    float[] src = new float[c * ps];
    for (int i = 0; i < src.length; i++) src[i] = (i % 7) * 0.01f;
    int[] off = new int[nq];
    for (int ci = 0; ci < c; ci++) for (int r = 0; r < 3; r++) for (int s = 0; s < 3; s++) off[(ci * 3 + r) * 3 + s] = ci * ps + r * wp + s;
    float[] wpk = new float[nq * 8 * 2];
    for (int i = 0; i < wpk.length; i++) wpk[i] = (i % 5) * 0.01f;
    float[] dst = new float[16 * 1088];
    for (int rep = 0; rep < 6; rep++) {
      long c0 = tb.getCurrentThreadCpuTime();
      long macs = 0;
      for (int it = 0; it < 200; it++) {
        for (int i0 = 0; i0 < 32 * 34; i0 += 32) {
          for (int ob = 0; ob < 2; ob++) {
            VectorKernels.direct8x32(src, i0, off, 0, nq, wpk, ob * 8 * nq, dst, ob * 8 * 1088 + Math.min(i0, 1056), 1088);
            macs += 8L * 32 * nq;
          }
        }
      }
      long c1 = tb.getCurrentThreadCpuTime();
      System.out.printf("direct8x32 16ch 3x3 @32x32 image in L2: %.1f GFLOP/s%n", 2.0 * macs / (c1 - c0));
    }
    // pointwise8x32: 64 planes of 32x32 in a native segment
    try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
      int hw = 1024, cc = 64;
      java.lang.foreign.MemorySegment in = arena.allocate(4L * cc * hw * 2, 64);
      float[] wk = new float[cc * 8 * 2], tile = new float[256];
      for (int rep = 0; rep < 6; rep++) {
        long c0 = tb.getCurrentThreadCpuTime();
        long macs = 0;
        for (int it = 0; it < 300; it++) {
          for (int j0 = 0; j0 < hw; j0 += 32) {
            for (int ob = 0; ob < 2; ob++) {
              VectorKernels.pointwise8x32(in, j0, hw, cc, wk, ob * 8 * cc, 32, tile);
              macs += 8L * 32 * cc;
            }
          }
        }
        long c1 = tb.getCurrentThreadCpuTime();
        System.out.printf("pointwise8x32 64ch @32x32 from a segment: %.1f GFLOP/s%n", 2.0 * macs / (c1 - c0));
      }
    }
    // filter4x6 over one image's flat dy (4 planes) and padded x (2 planes)
    int pl = 1088;
    float[] dy = new float[16 * pl], x = new float[16 * ps], part = new float[24 * 16];
    for (int i = 0; i < dy.length; i++) dy[i] = (i % 3) * 0.01f;
    for (int i = 0; i < x.length; i++) x[i] = (i % 11) * 0.01f;
    int[] dyo = {0, pl, 2 * pl, 3 * pl}, xo = {0, 1, 2, ps, ps + 1, ps + 2};
    for (int rep = 0; rep < 6; rep++) {
      long c0 = tb.getCurrentThreadCpuTime();
      long macs = 0;
      for (int it = 0; it < 20000; it++) {
        VectorKernels.filter4x6(dy, 0, 0, dyo, x, 0, 0, xo, 1, pl / 16, 0, part, 0);
        macs += 24L * pl;
      }
      long c1 = tb.getCurrentThreadCpuTime();
      System.out.printf("filter4x6 one image 32x32: %.1f GFLOP/s%n", 2.0 * macs / (c1 - c0));
    }
  }
}
