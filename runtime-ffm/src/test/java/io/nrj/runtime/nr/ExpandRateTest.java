package io.nrj.runtime.nr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.ir.NrSettings.ExpandRule;
import org.junit.jupiter.api.Test;

class ExpandRateTest {
  @Test
  void expandRateOfSpecExampleRoundsWidthsDown() { // spec §13.4
    ExpandRate e = ExpandRate.of(ExpandRule.SQRT, 20_018_880, 5_000_000);
    assertEquals(2.00094377, e.value(), 1e-8);
    assertEquals(600, e.newWidth(300));
    assertEquals(74, e.newWidth(37));
    assertEquals(2, e.newWidth(1));
    assertTrue(e.warning().isEmpty());
  }

  @Test
  void squareRootOfTwoKeepsOneAndTwoAndGrowsThreeToFour() { // spec §13.4
    double e = Math.sqrt(2);
    assertEquals(1, ExpandRate.newWidth(1, e));
    assertEquals(2, ExpandRate.newWidth(2, e));
    assertEquals(4, ExpandRate.newWidth(3, e));
  }

  @Test
  void floorSqrtIsAnIntegerAndWarnsWhenItIsOne() { // spec §5.1, §12 C3
    assertEquals(2.0, ExpandRate.of(ExpandRule.FLOOR_SQRT, 1000, 200).value()); // sqrt(5) = 2.23
    ExpandRate one = ExpandRate.of(ExpandRule.FLOOR_SQRT, 1000, 300); // sqrt(3.33) = 1.83
    assertEquals(1.0, one.value());
    assertTrue(one.warning().orElseThrow().contains("e = 1"));
  }

  @Test
  void zeroLiveConnectionsCannotBeRejuvenated() {
    var ex = assertThrows(IllegalStateException.class, () -> ExpandRate.of(ExpandRule.SQRT, 10, 0));
    assertTrue(ex.getMessage().contains("no live connection"));
  }
}
