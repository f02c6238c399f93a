package io.nrj.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelsSourceTest {
  private static final MemorySegment P = MemorySegment.NULL;

  @Test
  void readsEveryKernelsParameterTypesFromTheShippedSource() {
    var all = Kernels.SIGNATURES.all();
    assertEquals(18, all.size(), all.keySet().toString());
    assertEquals(List.of(MemorySegment.class, Integer.class, MemorySegment.class, Integer.class, Integer.class,
        MemorySegment.class, Integer.class, MemorySegment.class, Integer.class), all.get("nrj_gather_block"));
    assertEquals(List.of(MemorySegment.class, MemorySegment.class, MemorySegment.class, Float.class, Float.class,
        Float.class, Integer.class, Long.class), all.get("nrj_sgd_step"));
    assertEquals(List.of(MemorySegment.class, Integer.class, Integer.class, MemorySegment.class, Integer.class,
        Integer.class, Integer.class, Integer.class, Integer.class, Integer.class), all.get("nrj_copy_channels"));
  }

  @Test
  void keepsTheCTypeAndNameOfEveryParameter() {
    assertEquals(List.of(new KernelSignatures.Param("const float*", "logits", MemorySegment.class),
        new KernelSignatures.Param("const int*", "labels", MemorySegment.class),
        new KernelSignatures.Param("float*", "dlogits", MemorySegment.class),
        new KernelSignatures.Param("float*", "loss", MemorySegment.class),
        new KernelSignatures.Param("int", "n", Integer.class),
        new KernelSignatures.Param("int", "k", Integer.class)),
        Kernels.SIGNATURES.params().get("nrj_softmax_cross_entropy"));
    var parsed = KernelSignatures.parse("extern \"C\" __global__ void f(float *x, long long  n) {}");
    assertEquals(List.of(new KernelSignatures.Param("float *", "x", MemorySegment.class),
        new KernelSignatures.Param("long long", "n", Long.class)), parsed.params().get("f"));
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

  @Test
  void packsOnePointerPerArgumentAndAGridStrideLaunchShape() {
    try (var arena = Arena.ofConfined()) {
      var buffer = arena.allocate(64);
      var launch = Kernels.pack(arena, "nrj_sgd_step", 1_000_000, 4224, buffer, P, buffer, 0.1f, 0.9f, 5e-4f, 1,
          1_000_000L);
      assertEquals(3907, launch.blocks()); // ceil(1e6 / 256)
      MemorySegment argv = launch.argv().reinterpret(8L * 8);
      assertEquals(buffer.address(), cell(argv, 0).get(ValueLayout.ADDRESS, 0).address());
      assertEquals(0L, cell(argv, 1).get(ValueLayout.ADDRESS, 0).address());
      assertEquals(0.1f, cell(argv, 3).get(ValueLayout.JAVA_FLOAT, 0));
      assertEquals(5e-4f, cell(argv, 5).get(ValueLayout.JAVA_FLOAT, 0));
      assertEquals(1, cell(argv, 6).get(ValueLayout.JAVA_INT, 0));
      assertEquals(1_000_000L, cell(argv, 7).get(ValueLayout.JAVA_LONG, 0));

      assertEquals(1, Kernels.pack(arena, "nrj_fill", 1, 4224, P, 1f, 1L).blocks());
      assertEquals(1, Kernels.pack(arena, "nrj_fill", 256, 4224, P, 1f, 256L).blocks());
      assertEquals(2, Kernels.pack(arena, "nrj_fill", 257, 4224, P, 1f, 257L).blocks());
      assertEquals(4224, Kernels.pack(arena, "nrj_fill", 1L << 31, 4224, P, 1f, 1L << 31).blocks());
      assertEquals(0, Kernels.pack(arena, "nrj_fill", 0, 4224, P, 1f, 0L).blocks());
      // the signature is checked even when there is nothing to launch
      assertThrows(IllegalArgumentException.class, () -> Kernels.pack(arena, "nrj_fill", 0, 4224, P, 1f, 0));
    }
  }

  private static MemorySegment cell(MemorySegment argv, int i) {
    return argv.getAtIndex(ValueLayout.ADDRESS, i).reinterpret(8);
  }
}
