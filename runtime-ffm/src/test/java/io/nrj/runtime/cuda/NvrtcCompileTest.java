package io.nrj.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped kernels through NVRTC, by the backend's own compile path (FFM bindings of
 * nvrtcCreateProgram, nvrtcCompileProgram, nvrtcGetCUBIN, the program log): NVRTC needs no GPU,
 * so this runs wherever libnvrtc.so.13 loads (the pip wheel nvidia-cuda-nvrtc is enough).
 */
@EnabledIf("io.nrj.runtime.cuda.NativeLibrariesProbe#nvrtcPresent")
class NvrtcCompileTest {
  @ParameterizedTest(name = "sm_{0}")
  @ValueSource(ints = {75, 80, 90, 100})
  void theShippedKernelsCompileToACubin(int arch) {
    byte[] cubin = Kernels.nvrtcCompile(Kernels.source(), List.of("--gpu-architecture=sm_" + arch, "-std=c++17"));
    // an ELF image: 0x7f 'E' 'L' 'F'
    assertTrue(cubin.length > 1000, "cubin of " + cubin.length + " bytes");
    assertEquals(List.of(0x7f, (int) 'E', (int) 'L', (int) 'F'),
        List.of((int) cubin[0], (int) cubin[1], (int) cubin[2], (int) cubin[3]));
  }

  @Test
  void aCompileErrorNamesTheCallTheStatusAndTheLine() {
    String broken = Kernels.source() + "\nextern \"C\" __global__ void nrj_broken(float* x) { x[0] = y; }\n";
    var e = assertThrows(CudaException.class, () -> Kernels.nvrtcCompile(broken, List.of("--gpu-architecture=sm_90")));
    assertTrue(e.getMessage().startsWith("nvrtcCompileProgram(kernels.cu, --gpu-architecture=sm_90) failed: "
        + "NVRTC_ERROR_COMPILATION (6)"), e.getMessage());
    assertTrue(e.getMessage().contains("identifier \"y\" is undefined"), e.getMessage());
  }
}
