package io.nrj.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.nrj.runtime.ConvGeom;
import io.nrj.runtime.PoolGeom;
import io.nrj.runtime.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Wrong sizes fail before any memory is touched, with a message naming the tensor and shapes. */
class ArgumentCheckTest {
  static final CpuBackend B = new CpuBackend(1, false);

  @AfterAll
  static void close() {
    B.close();
  }

  @Test
  void rejectsConvWeightOfTheWrongSize() {
    ConvGeom g = new ConvGeom(2, 3, 8, 8, 4, 3, 3, 1, 1);
    Tensor x = B.allocate(2, 3, 8, 8), w = B.allocate(4, 2, 3, 3), y = B.allocate(2, 4, 8, 8);
    var e = assertThrows(IllegalArgumentException.class, () -> B.convForward(x, w, y, g));
    assertEquals("conv weight (k,c,r,s) of " + g + ": expected 108 elements, tensor [4, 2, 3, 3] has 72", e.getMessage());
  }

  @Test
  void rejectsLabelOutsideTheClasses() {
    Tensor logits = B.allocate(2, 3), d = B.allocate(2, 3);
    var e = assertThrows(IllegalArgumentException.class, () -> B.softmaxCrossEntropy(logits, new int[] {0, 3}, d, 2, 3));
    assertEquals("label 3 of row 1 is outside [0, 3)", e.getMessage());
  }

  @Test
  void rejectsChannelRangeBeyondTheTensor() {
    Tensor a = B.allocate(1, 4, 2), b = B.allocate(1, 6, 2);
    var e = assertThrows(IllegalArgumentException.class, () -> B.copyChannels(a, 4, 2, b, 6, 0, 3, 1, 2, false));
    assertEquals("copyChannels: channels [2, 5) of 4 into [0, 3) of 6 is out of range", e.getMessage());
  }

  @Test
  void rejectsPoolPaddingLargerThanHalfTheWindow() {
    PoolGeom g = new PoolGeom(1, 1, 4, 4, 2, 2, 2);
    Tensor x = B.allocate(1, 1, 4, 4), y = B.allocate(1, 1, 5, 5);
    var e = assertThrows(IllegalArgumentException.class, () -> B.maxPoolForward(x, y, g));
    assertEquals("pool geometry is invalid (pad must be at most kernel/2): " + g, e.getMessage());
  }

  @Test
  void rejectsViewsPastTheEnd() {
    Tensor t = B.allocate(6);
    var e = assertThrows(IndexOutOfBoundsException.class, () -> t.view(4, 3));
    assertEquals("view of [3] at offset 4 does not fit in a tensor of 6 elements [6]", e.getMessage());
  }

  @Test
  void rejectsTensorsOfAnotherBackend() {
    Tensor foreign = new Tensor() {
      public int[] shape() {
        return new int[] {2};
      }

      public long numel() {
        return 2;
      }

      public Tensor view(long offset, int... shape) {
        return this;
      }

      public void close() {}
    };
    var e = assertThrows(IllegalArgumentException.class, () -> B.download(foreign));
    assertEquals("tensor [2] belongs to another backend, not the CPU backend", e.getMessage());
  }
}
