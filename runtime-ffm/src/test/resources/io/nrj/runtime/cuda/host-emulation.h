// Host emulation of the CUDA C subset that kernels.cu uses, so its unmodified text compiles with
// a plain C++ compiler (see io.nrj.runtime.cuda.HostKernels). Written for this test, not taken
// from any CUDA header. It is exact only for kernels without shared memory, __syncthreads, warp
// intrinsics or atomics, where running every (block, thread) of a launch one after another gives
// the same result as running them in parallel; the device's expf/logf may round differently.
#pragma once

#include <cmath>
#include <math.h>

// Execution-space and inlining qualifiers have no meaning on the host.
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline

// The built-in index variables, as CUDA declares their types (unsigned int components). The
// generated trampolines set them before each emulated thread runs.
struct nrj_emu_uint3 {
  unsigned int x, y, z;
};
static nrj_emu_uint3 threadIdx, blockIdx, blockDim, gridDim;

// Device maths the kernels call (expf, logf, fmaxf, ...) are the host C library's float functions
// of the same names, declared in the global namespace by <math.h> (libstdc++ 12 has no std::expf).
