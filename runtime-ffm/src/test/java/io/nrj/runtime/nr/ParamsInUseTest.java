package io.nrj.runtime.nr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nrj.dsl.Counter;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrSettings.CrossMode;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ParamsInUseTest {
  /**
   * The sparse VGG of {@link RejuvenatorTest} at e = 2: live c1 5/8, c2 3/8, c3 6/12, c4 12/12, so
   * widths 10, 6, 12, 24. By hand: c1 3·10·9 + 20 = 290 (input layer, unsplit); c2 10·6·9 + 12 =
   * 552, cross blocks (3·5 + 3·5)·9 = 270; c3 6·12·9 + 24 = 672, cross (6·3 + 6·3)·9 = 324; c4
   * 12·24 + 48 = 336, cross 12·6 + 12·6 = 144; classifier 24·5 + 5 = 125. All: 1,975; in use:
   * 1,975 − 738 = 1,237.
   */
  @Test
  void crossBlocksOfSplitConvsAreNotInUseWhenCrossIsRemoved() {
    NetworkIr ir = Nets.vgg();
    Liveness lv = Liveness.inspect(ir, RejuvenatorTest.sparseVgg(ir), 0.01, 1e-3, Set.of());
    Rejuvenator.Result removed = Rejuvenator.plan(ir, ir.widths(), lv, 2.0, 0.5, CrossMode.REMOVED, new Random(1));
    assertArrayEquals(new int[] {10, 6, 12, 24}, removed.widths().toArray());
    assertEquals(1975, Counter.count(ir, removed.widths()).params());
    assertEquals(1237, ParamsInUse.of(ir, removed.widths(), removed.layout()));

    Rejuvenator.Result attention = Rejuvenator.plan(ir, ir.widths(), lv, 2.0, 0.5, CrossMode.ATTENTION, new Random(1));
    assertEquals(1975, ParamsInUse.of(ir, attention.widths(), attention.layout()), "cross-attention trains every weight");
    assertEquals(Counter.count(ir).params(), ParamsInUse.of(ir, ir.widths(), null), "before rejuvenation all are in use");
  }
}
