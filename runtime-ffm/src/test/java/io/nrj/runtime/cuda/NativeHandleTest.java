package io.nrj.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NativeHandleTest {
  private final List<String> log = new ArrayList<>();

  private NativeHandle create(int createStatus) {
    return NativeHandle.create("fakeCreate", out -> {
      out.set(ValueLayout.ADDRESS, 0, MemorySegment.ofAddress(0xBEEF));
      return createStatus;
    }, (status, call) -> {
      if (status != 0) {
        throw new CudaException(call, status, "FAKE_STATUS", "fake failure");
      }
    }, "fakeDestroy", h -> {
      log.add("destroy " + Long.toHexString(h.address()));
      return 0;
    });
  }

  @Test
  void wrapsTheHandleWrittenToTheOutPointerAndDestroysItOnce() {
    NativeHandle h = create(0);
    assertEquals(0xBEEF, h.get().address());
    h.close();
    h.close();
    assertEquals(List.of("destroy beef"), log);
    assertEquals("use of a closed handle from fakeCreate",
        assertThrows(IllegalStateException.class, h::get).getMessage());
  }

  @Test
  void aFailedCreateThrowsTheNamedError() {
    var e = assertThrows(CudaException.class, () -> create(7));
    assertEquals("fakeCreate failed: FAKE_STATUS (7): fake failure", e.getMessage());
  }
}
