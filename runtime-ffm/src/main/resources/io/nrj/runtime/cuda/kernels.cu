// Element-wise and small reduction kernels of the CUDA backend: everything cuDNN and cuBLAS do
// not provide. Compiled once per process by NVRTC (io.nrj.runtime.cuda.Kernels) for the device's
// architecture. Conventions match io.nrj.runtime.Backend: float32, NCHW, forward overwrites,
// backward accumulates. Element counts are long long and loops are grid-stride, so one launch
// shape (Kernels.pack) serves any size.
//
// KernelHostEmulationTest compiles this file for the host and runs each launch thread after
// thread against the CPU backend. That is exact only while every output element has one writer:
// no shared memory, __syncthreads, warp intrinsics or atomics here. A new kernel needs a
// @Compares test there (the coverage test fails without one).

#define GRID_STRIDE(i, n) \
  for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < (n); \
       i += (long long) blockDim.x * gridDim.x)

extern "C" __global__ void nrj_fill(float* x, float v, long long n) {
  GRID_STRIDE(i, n) x[i] = v;
}

// y = a + b
extern "C" __global__ void nrj_add(const float* a, const float* b, float* y, long long n) {
  GRID_STRIDE(i, n) y[i] = a[i] + b[i];
}

// y += alpha * x
extern "C" __global__ void nrj_axpy(float alpha, const float* x, float* y, long long n) {
  GRID_STRIDE(i, n) y[i] += alpha * x[i];
}

// t *= m (gradient masks of removed cross blocks, spec 6.5)
extern "C" __global__ void nrj_multiply(float* t, const float* m, long long n) {
  GRID_STRIDE(i, n) t[i] *= m[i];
}

__device__ __forceinline__ float nrj_sigmoid(float a) { return 1.0f / (1.0f + expf(-a)); }

// Cross-attention gate (spec 6.2): y = a + 2 sigmoid(a) c
extern "C" __global__ void nrj_gate_forward(const float* a, const float* c, float* y, long long n) {
  GRID_STRIDE(i, n) y[i] = a[i] + 2.0f * nrj_sigmoid(a[i]) * c[i];
}

// da += dy (1 + 2 s(a)(1 - s(a)) c); dc += dy 2 s(a)
extern "C" __global__ void nrj_gate_backward(const float* a, const float* c, const float* dy,
                                             float* da, float* dc, long long n) {
  GRID_STRIDE(i, n) {
    float s = nrj_sigmoid(a[i]);
    da[i] += dy[i] * (1.0f + 2.0f * s * (1.0f - s) * c[i]);
    dc[i] += dy[i] * 2.0f * s;
  }
}

// grad += lambda sign(param), sign(0) = 0 (spec 2.1: L1 on BN scales)
extern "C" __global__ void nrj_l1_subgradient(const float* p, float* g, float lambda, long long n) {
  GRID_STRIDE(i, n) {
    float s = p[i] > 0.0f ? 1.0f : (p[i] < 0.0f ? -1.0f : 0.0f);
    g[i] += lambda * s;
  }
}

// SGD with momentum, PyTorch's formulation: d = g + wd p; buf = first ? d : mu buf + d; p -= lr buf
extern "C" __global__ void nrj_sgd_step(float* p, const float* g, float* buf, float lr, float mu,
                                        float wd, int first, long long n) {
  GRID_STRIDE(i, n) {
    float d = g[i] + wd * p[i];
    float b = first ? d : mu * buf[i] + d;
    buf[i] = b;
    p[i] -= lr * b;
  }
}

// dst[:, dstOff + j] (=|+=) src[:, srcOff + j] for j < count; tensors are (n, channels, hw)
extern "C" __global__ void nrj_copy_channels(const float* src, int srcC, int srcOff, float* dst,
                                             int dstC, int dstOff, int count, int n, int hw,
                                             int accumulate) {
  long long total = (long long) n * count * hw;
  GRID_STRIDE(i, total) {
    long long p = i % hw;
    long long j = (i / hw) % count;
    long long b = i / ((long long) hw * count);
    float v = src[(b * srcC + srcOff + j) * hw + p];
    long long d = (b * dstC + dstOff + j) * hw + p;
    dst[d] = accumulate ? dst[d] + v : v;
  }
}

// y (rows) = mean over hw of x (rows, hw); one thread per row (rows = n*c, hw is small here)
extern "C" __global__ void nrj_global_avg_pool_forward(const float* x, float* y, long long rows,
                                                       int hw) {
  GRID_STRIDE(r, rows) {
    float s = 0.0f;
    for (int p = 0; p < hw; p++) s += x[r * hw + p];
    y[r] = s / hw;
  }
}

// dx (rows, hw) += dy (rows) / hw
extern "C" __global__ void nrj_global_avg_pool_backward(const float* dy, float* dx, long long rows,
                                                        int hw) {
  GRID_STRIDE(i, rows * hw) dx[i] += dy[i / hw] / hw;
}

// Average pooling, padding counted in the divisor (count_include_pad=True).
// x (n*c, h, w) -> y (n*c, oh, ow); one thread per output element.
extern "C" __global__ void nrj_avg_pool_forward(const float* x, float* y, long long planes, int h,
                                                int w, int oh, int ow, int k, int stride, int pad) {
  GRID_STRIDE(i, planes * oh * ow) {
    int ox = i % ow;
    int oy = (i / ow) % oh;
    long long plane = i / ((long long) ow * oh);
    float s = 0.0f;
    for (int dy = 0; dy < k; dy++) {
      int iy = oy * stride - pad + dy;
      if (iy < 0 || iy >= h) continue;
      for (int dx = 0; dx < k; dx++) {
        int ix = ox * stride - pad + dx;
        if (ix >= 0 && ix < w) s += x[(plane * h + iy) * w + ix];
      }
    }
    y[i] = s / (k * k);
  }
}

// The output windows (one axis) that contain input index i: [*lo, *hi] (empty when lo > hi).
// Window o covers o*stride - pad .. o*stride - pad + k - 1.
__device__ __forceinline__ void nrj_windows_containing(int i, int out, int k, int stride, int pad,
                                                      int* lo, int* hi) {
  int first = i + pad - k + 1;  // smallest o with o*stride >= first
  *lo = first <= 0 ? 0 : (first + stride - 1) / stride;
  int last = (i + pad) / stride;  // i + pad >= 0
  *hi = last < out - 1 ? last : out - 1;
}

// dx += sum over windows containing the input element of dy / k^2; one thread per input element
// (a gather, so no atomics).
extern "C" __global__ void nrj_avg_pool_backward(const float* dy, float* dx, long long planes, int h,
                                                 int w, int oh, int ow, int k, int stride,
                                                 int pad) {
  GRID_STRIDE(i, planes * h * w) {
    int ix = i % w;
    int iy = (i / w) % h;
    long long plane = i / ((long long) w * h);
    int oy0, oy1, ox0, ox1;
    nrj_windows_containing(iy, oh, k, stride, pad, &oy0, &oy1);
    nrj_windows_containing(ix, ow, k, stride, pad, &ox0, &ox1);
    float s = 0.0f;
    for (int oy = oy0; oy <= oy1; oy++) {
      for (int ox = ox0; ox <= ox1; ox++) s += dy[(plane * oh + oy) * ow + ox];
    }
    dx[i] += s / (k * k);
  }
}

// Max pooling backward: dx += dy of every window whose FIRST maximum (row-major, padding
// excluded) is this input element, the CPU backend's and PyTorch's rule. cuDNN leaves the choice
// among tied maxima unspecified, and ties are common under NR: a channel whose BN scale is 0 is
// constant. One thread per input element re-scans the windows containing it (a gather: no
// atomics, deterministic). x (planes, h, w), dy (planes, oh, ow).
extern "C" __global__ void nrj_max_pool_backward(const float* x, const float* dy, float* dx,
                                                 long long planes, int h, int w, int oh, int ow,
                                                 int k, int stride, int pad) {
  GRID_STRIDE(i, planes * h * w) {
    int ix = i % w;
    int iy = (i / w) % h;
    long long plane = i / ((long long) w * h);
    const float* xp = x + plane * h * w;
    int self = iy * w + ix;
    int oy0, oy1, ox0, ox1;
    nrj_windows_containing(iy, oh, k, stride, pad, &oy0, &oy1);
    nrj_windows_containing(ix, ow, k, stride, pad, &ox0, &ox1);
    float s = 0.0f;
    for (int oy = oy0; oy <= oy1; oy++) {
      int h0 = oy * stride - pad, h1 = h0 + k;
      h0 = h0 < 0 ? 0 : h0;
      h1 = h1 > h ? h : h1;
      for (int ox = ox0; ox <= ox1; ox++) {
        int w0 = ox * stride - pad, w1 = w0 + k;
        w0 = w0 < 0 ? 0 : w0;
        w1 = w1 > w ? w : w1;
        float m = 0.0f;
        int arg = -1;
        for (int a = h0; a < h1; a++) {
          for (int b = w0; b < w1; b++) {
            float v = xp[a * w + b];
            if (arg < 0 || v > m) {
              m = v;
              arg = a * w + b;
            }
          }
        }
        if (arg == self) s += dy[(plane * oh + oy) * ow + ox];
      }
    }
    dx[i] += s;
  }
}

// y (n, k) = b broadcast over rows (the GEMM then adds x w^T with beta = 1)
extern "C" __global__ void nrj_broadcast_rows(const float* b, float* y, int n, int k) {
  GRID_STRIDE(i, (long long) n * k) y[i] = b[i % k];
}

// db (k) += column sums of dy (n, k); one thread per column
extern "C" __global__ void nrj_column_sums(const float* dy, float* db, int n, int k) {
  GRID_STRIDE(j, (long long) k) {
    float s = 0.0f;
    for (int r = 0; r < n; r++) s += dy[(long long) r * k + j];
    db[j] += s;
  }
}

// Softmax cross-entropy of logits (n, k): dlogits = (softmax - onehot) / n (overwrite) and
// loss[r] = -log softmax[r, label[r]]; one thread per row (k is the class count, small).
extern "C" __global__ void nrj_softmax_cross_entropy(const float* logits, const int* labels,
                                                     float* dlogits, float* loss, int n, int k) {
  GRID_STRIDE(r, (long long) n) {
    const float* z = logits + r * k;
    float m = z[0];
    for (int j = 1; j < k; j++) m = fmaxf(m, z[j]);
    float s = 0.0f;
    for (int j = 0; j < k; j++) s += expf(z[j] - m);
    float logS = logf(s);
    int label = labels[r];
    loss[r] = -(z[label] - m - logS);
    for (int j = 0; j < k; j++) {
      float p = expf(z[j] - m - logS);
      dlogits[r * k + j] = (p - (j == label ? 1.0f : 0.0f)) / n;
    }
  }
}

// Rejuvenation surgery (spec 5.2): dst (?, dstCols, inner)[r, q, :] = src (?, srcCols, inner)
// [rows[r], cols[q], :] for r < nRows, q < nCols; the rest of dst keeps its fresh init.
extern "C" __global__ void nrj_gather_block(const float* src, int srcCols, float* dst, int dstCols,
                                            int inner, const int* rows, int nRows, const int* cols,
                                            int nCols) {
  long long total = (long long) nRows * nCols * inner;
  GRID_STRIDE(i, total) {
    long long e = i % inner;
    long long q = (i / inner) % nCols;
    long long r = i / ((long long) inner * nCols);
    dst[(r * dstCols + q) * inner + e] = src[((long long) rows[r] * srcCols + cols[q]) * inner + e];
  }
}
