package io.nrj.runtime.cpu;

import static io.nrj.runtime.cpu.CpuBackend.F;

import io.nrj.runtime.ConvGeom;
import java.lang.foreign.MemorySegment;

/** 2-D convolution by direct loops: the obviously correct reference the fast kernels are tested against. */
final class ConvReference {
  private ConvReference() {}

  // x (n, c, h, w), w (k, c, r, s) -> y (n, k, oh, ow)
  static void forward(CpuThreads pool, boolean vector, MemorySegment x, MemorySegment w, MemorySegment y, ConvGeom g) {
    int c = g.c(), h = g.h(), wd = g.w(), k = g.k(), r = g.r(), s = g.s(), st = g.stride(), pad = g.pad();
    int oh = g.outH(), ow = g.outW();
    pool.parallelFor(g.n(), (t, n0, n1) -> {
      for (int n = n0; n < n1; n++) {
        for (int o = 0; o < k; o++) {
          for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
              float acc = 0;
              for (int ci = 0; ci < c; ci++) {
                for (int a = 0; a < r; a++) {
                  int hi = i * st - pad + a;
                  if (hi < 0 || hi >= h) continue;
                  for (int b = 0; b < s; b++) {
                    int wi = j * st - pad + b;
                    if (wi < 0 || wi >= wd) continue;
                    acc += x.getAtIndex(F, (((long) n * c + ci) * h + hi) * wd + wi)
                        * w.getAtIndex(F, (((long) o * c + ci) * r + a) * s + b);
                  }
                }
              }
              y.setAtIndex(F, (((long) n * k + o) * oh + i) * ow + j, acc);
            }
          }
        }
      }
    });
  }

  // dx (n, c, h, w) += conv_transpose(dy (n, k, oh, ow), w (k, c, r, s))
  static void backwardData(CpuThreads pool, boolean vector, MemorySegment dy, MemorySegment w, MemorySegment dx, ConvGeom g) {
    int c = g.c(), h = g.h(), wd = g.w(), k = g.k(), r = g.r(), s = g.s(), st = g.stride(), pad = g.pad();
    int oh = g.outH(), ow = g.outW();
    pool.parallelFor(g.n(), (t, n0, n1) -> {
      for (int n = n0; n < n1; n++) {
        for (int o = 0; o < k; o++) {
          for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
              float d = dy.getAtIndex(F, (((long) n * k + o) * oh + i) * ow + j);
              for (int ci = 0; ci < c; ci++) {
                for (int a = 0; a < r; a++) {
                  int hi = i * st - pad + a;
                  if (hi < 0 || hi >= h) continue;
                  for (int b = 0; b < s; b++) {
                    int wi = j * st - pad + b;
                    if (wi < 0 || wi >= wd) continue;
                    long xo = (((long) n * c + ci) * h + hi) * wd + wi;
                    dx.setAtIndex(F, xo, dx.getAtIndex(F, xo) + d * w.getAtIndex(F, (((long) o * c + ci) * r + a) * s + b));
                  }
                }
              }
            }
          }
        }
      }
    });
  }

  // dw (k, c, r, s) += sum over n, oh, ow of dy (n, k, oh, ow) * x (n, c, h, w) at the tap
  static void backwardFilter(CpuThreads pool, boolean vector, MemorySegment x, MemorySegment dy, MemorySegment dw, ConvGeom g) {
    int c = g.c(), h = g.h(), wd = g.w(), k = g.k(), r = g.r(), s = g.s(), st = g.stride(), pad = g.pad();
    int oh = g.outH(), ow = g.outW(), nn = g.n();
    pool.parallelFor(k, (t, o0, o1) -> {
      for (int o = o0; o < o1; o++) {
        for (int ci = 0; ci < c; ci++) {
          for (int a = 0; a < r; a++) {
            for (int b = 0; b < s; b++) {
              float acc = 0;
              for (int n = 0; n < nn; n++) {
                for (int i = 0; i < oh; i++) {
                  int hi = i * st - pad + a;
                  if (hi < 0 || hi >= h) continue;
                  for (int j = 0; j < ow; j++) {
                    int wi = j * st - pad + b;
                    if (wi < 0 || wi >= wd) continue;
                    acc += dy.getAtIndex(F, (((long) n * k + o) * oh + i) * ow + j)
                        * x.getAtIndex(F, (((long) n * c + ci) * h + hi) * wd + wi);
                  }
                }
              }
              long wo = (((long) o * c + ci) * r + a) * s + b;
              dw.setAtIndex(F, wo, dw.getAtIndex(F, wo) + acc);
            }
          }
        }
      }
    });
  }
}
