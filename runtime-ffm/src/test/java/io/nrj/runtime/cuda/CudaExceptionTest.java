package io.nrj.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.nrj.runtime.bindings.cudart_h;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

class CudaExceptionTest {
  @Test
  void formatsCallStatusNameNumberAndText() {
    var e = new CudaException("cudnnConvolutionForward", 2000, "CUDNN_STATUS_BAD_PARAM",
        "  CUDNN_BACKEND_TENSOR_DESCRIPTOR: Check and Set CUDNN_ATTR_TENSOR_DIM\n");
    assertEquals("cudnnConvolutionForward failed: CUDNN_STATUS_BAD_PARAM (2000): "
        + "CUDNN_BACKEND_TENSOR_DESCRIPTOR: Check and Set CUDNN_ATTR_TENSOR_DIM", e.getMessage());
    assertEquals("cudnnConvolutionForward", e.call());
    assertEquals(2000, e.status());
    assertEquals("CUDNN_STATUS_BAD_PARAM", e.statusName());
  }

  @Test
  void leavesOutAnEmptyDetail() {
    assertEquals("nvrtcCompileProgram failed: NVRTC_ERROR_COMPILATION (6)",
        new CudaException("nvrtcCompileProgram", 6, "NVRTC_ERROR_COMPILATION", "").getMessage());
  }

  @Test
  @EnabledIf("io.nrj.runtime.cuda.GpuSupport#cudartLoads")
  void cudaCheckNamesTheStatusWithTheRuntimesOwnStrings() {
    var e = assertThrows(CudaException.class, () -> Cuda.check(1, "cudaMemcpy"));
    assertEquals("cudaMemcpy failed: cudaErrorInvalidValue (1): invalid argument", e.getMessage());
    assertDoesNotThrow(() -> Cuda.check(0, "cudaMemcpy"));
  }

  @Test
  @EnabledIf("io.nrj.runtime.cuda.GpuSupport#cudartLoads")
  void outOfMemoryIsItsOwnType() {
    var e = assertThrows(CudaException.class, () -> Cuda.check(2, "cudaMalloc"));
    assertInstanceOf(CudaOutOfMemoryException.class, e);
    assertEquals("cudaMalloc failed: cudaErrorMemoryAllocation (2): out of memory", e.getMessage());
  }

  @Test
  @EnabledIf("io.nrj.runtime.cuda.GpuSupport#cudartLoads")
  void generatedBindingsCallTheRuntime() {
    try (var arena = Arena.ofConfined()) {
      var version = arena.allocate(ValueLayout.JAVA_INT);
      Cuda.check(cudart_h.cudaRuntimeGetVersion(version), "cudaRuntimeGetVersion");
      assertEquals(13, version.get(ValueLayout.JAVA_INT, 0) / 1000);
    }
  }
}
