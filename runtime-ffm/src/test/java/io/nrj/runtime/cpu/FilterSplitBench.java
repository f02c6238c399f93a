package io.nrj.runtime.cpu;

import io.nrj.runtime.ConvGeom;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Dev harness: DirectConv's weight gradient split by image groups ({@code byImageGroups}) against the split by weight tiles ({@code byTasks}), 10 calls of each in
 * turn in one JVM, so a slow spell of the VM hits both alike; inputs rotate over 4 sets so they come
 * from memory, as in a network. 3x3, pad 1, 2 threads. args: n c hw k seconds
 */
public final class FilterSplitBench {
  public static void main(String[] a) {
    int n = Integer.parseInt(a[0]), c = Integer.parseInt(a[1]), h = Integer.parseInt(a[2]), k = Integer.parseInt(a[3]);
    double secs = Double.parseDouble(a[4]);
    ConvGeom g = new ConvGeom(n, c, h, h, k, 3, 3, 1, 1);
    int rot = 4;
    Arena arena = Arena.ofAuto();
    MemorySegment[] xs = new MemorySegment[rot], dys = new MemorySegment[rot];
    for (int i = 0; i < rot; i++) {
      xs[i] = arena.allocate((long) n * c * h * h * 4, 64); dys[i] = arena.allocate((long) n * k * h * h * 4, 64);
      for (long j = 0; j < (long) n * c * h * h; j++) xs[i].setAtIndex(CpuBackend.F, j, (j % 7) * 0.1f);
      for (long j = 0; j < (long) n * k * h * h; j++) dys[i].setAtIndex(CpuBackend.F, j, (j % 5) * 0.1f);
    }
    MemorySegment dw = arena.allocate((long) k * c * 9 * 4, 64);
    CpuThreads pool = new CpuThreads(2);
    DirectConv.Work[] work = {new DirectConv.Work(), new DirectConv.Work()};
    DirectConv.FilterBuffers fb = new DirectConv.FilterBuffers();
    int tasks = ((k + 3) / 4) * 3 * ((c * 3 + 5) / 6);
    long[][] t = new long[2][200000];
    int[] cnt = new int[2];
    long end = System.nanoTime() + (long) (secs * 1e9);
    int turn = 0, call = 0;
    while (System.nanoTime() < end) {
      for (int mode = 0; mode < 2; mode++) {
        for (int j = 0; j < 10; j++) {
          int i = call++ % rot;
          long t0 = System.nanoTime();
          if (mode == 0) DirectConv.byImageGroups(pool, true, work, fb, xs[i], dys[i], dw, g, DirectConv.Layout.of(g));
          else DirectConv.byTasks(pool, true, work, fb.part(tasks * 384), xs[i], dys[i], dw, g, DirectConv.Layout.of(g));
          t[mode][cnt[mode]++] = System.nanoTime() - t0;
        }
      }
    }
    double fl = 2.0 * n * k * c * 9 * h * h;
    for (int mode = 0; mode < 2; mode++) {
      long[] v = Arrays.copyOf(t[mode], cnt[mode]);
      int skip = v.length / 5; // drop warm-up
      long[] s = Arrays.copyOfRange(v, skip, v.length);
      Arrays.sort(s);
      System.out.printf("%s: median %.3f ms (%.1f GFLOP/s), p25 %.3f, p75 %.3f, calls %d%n", mode == 0 ? "groups" : "tasks ",
          s[s.length / 2] / 1e6, fl / s[s.length / 2], s[s.length / 4] / 1e6, s[3 * s.length / 4] / 1e6, s.length);
    }
    pool.close();
  }
}
