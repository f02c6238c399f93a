package io.nrj.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelsSourceTest {
  private static final MemorySegment P = MemorySegment.NULL;

  @Test
  void readsEveryKernelsParameterTypesFromTheShippedSource() {
    var all = Kernels.SIGNATURES.all();
    assertEquals(17, all.size(), all.keySet().toString());
    assertEquals(List.of(MemorySegment.class, Integer.class, MemorySegment.class, Integer.class, Integer.class,
        MemorySegment.class, Integer.class, MemorySegment.class, Integer.class), all.get("nrj_gather_block"));
    assertEquals(List.of(MemorySegment.class, MemorySegment.class, MemorySegment.class, Float.class, Float.class,
        Float.class, Integer.class, Long.class), all.get("nrj_sgd_step"));
    assertEquals(List.of(MemorySegment.class, Integer.class, Integer.class, MemorySegment.class, Integer.class,
        Integer.class, Integer.class, Integer.class, Integer.class, Integer.class), all.get("nrj_copy_channels"));
  }

  @Test
  void rejectsALaunchWhoseArgumentsDoNotMatchTheSignature() {
    var s = Kernels.SIGNATURES;
    assertDoesNotThrow(() -> s.check("nrj_axpy", 0.5f, P, P, 10L));
    assertEquals("nrj_axpy argument 3 must be a Long, got Integer",
        assertThrows(IllegalArgumentException.class, () -> s.check("nrj_axpy", 0.5f, P, P, 10)).getMessage());
    assertEquals("nrj_axpy takes 4 arguments, got 3",
        assertThrows(IllegalArgumentException.class, () -> s.check("nrj_axpy", 0.5f, P, P)).getMessage());
    assertEquals("no kernel nrj_nope in kernels.cu",
        assertThrows(IllegalArgumentException.class, () -> s.check("nrj_nope")).getMessage());
  }
}
