package io.nrj.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.runtime.ConvGeom;
import io.nrj.runtime.PoolGeom;
import io.nrj.runtime.bindings.cudnn_h;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The backend's cuDNN descriptors through the real library: descriptors are host-side, so this
 * runs wherever libcudnn.so.9 loads (the pip wheel nvidia-cudnn-cu13 is enough, no GPU). It checks
 * the bindings' argument passing (ints, enums, the activation's double), that cuDNN accepts every
 * shape the networks use, that cuDNN 9's sub-libraries load through nrj's lookup, and the error
 * text of a rejected call.
 */
@EnabledIf("io.nrj.runtime.cuda.NativeLibrariesProbe#cudnnPresent")
class CudnnDescriptorsTest {
  @Test
  void theLibraryIsCudnn9() {
    long version = cudnn_h.cudnnGetVersion();
    assertTrue(version >= 90000 && version < 100000, "cudnnGetVersion " + version);
  }

  @ParameterizedTest(name = "tf32 {0}")
  @ValueSource(booleans = {false, true})
  void everyConvolutionShapeOfTheNetworksIsAccepted(boolean tf32) {
    ConvGeom[] shapes = {
      new ConvGeom(64, 3, 32, 32, 64, 3, 3, 1, 1), // CIFAR stem
      new ConvGeom(128, 256, 8, 8, 64, 1, 1, 1, 0), // bottleneck 1x1
      new ConvGeom(64, 64, 16, 16, 128, 1, 1, 2, 0), // projection shortcut, stride 2
      new ConvGeom(16, 1, 28, 28, 20, 5, 5, 1, 0), // LeNet-5
      new ConvGeom(8, 37, 13, 13, 11, 3, 3, 2, 1), // odd widths after rejuvenation
    };
    for (ConvGeom g : shapes) {
      try (var d = CudnnOps.convDescriptors(g, tf32)) {
        assertTrue(d.conv().get().address() != 0, g.toString());
      }
    }
  }

  @Test
  void poolingAndActivationDescriptorsAreAccepted() {
    for (PoolGeom g : new PoolGeom[] {new PoolGeom(64, 64, 32, 32, 2, 2, 0), new PoolGeom(8, 16, 15, 15, 3, 2, 1)}) {
      try (var p = CudnnOps.poolDescriptors(g)) {
        assertTrue(p.pool().get().address() != 0, g.toString());
      }
    }
    try (var relu = CudnnOps.reluDescriptor()) {
      assertTrue(relu.get().address() != 0);
    }
  }

  @Test
  void aRejectedDescriptorNamesTheCallTheStatusAndCudnnsReason() {
    // a zero-channel input, as a fully dead layer would give if it were not deleted
    var e = assertThrows(CudaException.class, () -> CudnnOps.convDescriptors(new ConvGeom(4, 0, 8, 8, 4, 3, 3, 1, 1), false));
    assertTrue(e.getMessage().startsWith("cudnnSetTensor4dDescriptor(x) failed: CUDNN_STATUS_BAD_PARAM"), e.getMessage());
    assertEquals(2000, e.status());
  }
}
