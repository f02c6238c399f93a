package io.nrj.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.runtime.bindings.cudart_h;
import io.nrj.runtime.bindings.cudnn_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout.PathElement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/** The generated struct layouts against the C layouts (x86-64 System V) of the headers. */
class BindingsLayoutTest {
  @Test
  void dim3IsThreePackedUnsignedInts() {
    assertEquals(12, cudart_h.dim3.sizeof());
    try (var arena = Arena.ofConfined()) {
      var d = cudart_h.dim3.allocate(arena);
      cudart_h.dim3.z(d, 7);
      assertEquals(7, d.get(cudart_h.C_INT, 8));
    }
  }

  @Test
  void algoPerfStructsMatchCudnnsLayout() {
    // struct { int algo; int status; float time; size_t memory; int determinism; int mathType;
    // int reserved[3]; }: memory aligned to 8 at offset 16, total 44 rounded up to 48.
    var layout = cudnn_h.cudnnConvolutionFwdAlgoPerf_t.layout();
    assertEquals(48, layout.byteSize());
    assertEquals(16, layout.byteOffset(PathElement.groupElement("memory")));
    assertEquals(28, layout.byteOffset(PathElement.groupElement("mathType")));
    assertEquals(48, cudnn_h.cudnnConvolutionBwdFilterAlgoPerf_t.sizeof());
  }

  @Test
  void enumConstantsCarryTheHeadersValues() {
    assertEquals(35, cudart_h.cudaErrorInsufficientDriver());
    assertEquals(3, cudnn_h.CUDNN_FMA_MATH());
    assertEquals(1, cudnn_h.CUDNN_BATCHNORM_SPATIAL());
  }

  @Test
  @EnabledIf("io.nrj.runtime.cuda.NativeLibrariesProbe#cudnnMissing")
  void callingIntoAMissingLibraryNamesIt() {
    Throwable e = assertThrows(Throwable.class, cudnn_h::cudnnGetVersion);
    while (e.getCause() != null && !(e instanceof MissingLibraryException)) {
      e = e.getCause();
    }
    assertInstanceOf(MissingLibraryException.class, e);
    assertTrue(e.getMessage().startsWith("missing library libcudnn.so.9 (looked in"), e.getMessage());
  }
}
