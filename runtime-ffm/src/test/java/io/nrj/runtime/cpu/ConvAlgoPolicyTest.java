package io.nrj.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** {@code -Dnrj.cpu.conv}: every policy name is accepted (any case, trimmed), anything else is a named error. */
class ConvAlgoPolicyTest {
  @Test
  void acceptsTheSixPoliciesAndNamesAnythingElse() {
    String before = System.getProperty("nrj.cpu.conv");
    try {
      System.clearProperty("nrj.cpu.conv");
      assertEquals("auto", ConvAlgo.configuredPolicy());
      for (String p : new String[] {"gemm", "direct", "winograd", "lanes", "wlanes", "auto"}) {
        System.setProperty("nrj.cpu.conv", " " + p.toUpperCase(java.util.Locale.ROOT) + " ");
        assertEquals(p, ConvAlgo.configuredPolicy());
      }
      System.setProperty("nrj.cpu.conv", "lane");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ConvAlgo::configuredPolicy);
      assertEquals("nrj.cpu.conv must be gemm, direct, winograd, lanes, wlanes or auto, got 'lane'", e.getMessage());
    } finally {
      if (before == null) System.clearProperty("nrj.cpu.conv");
      else System.setProperty("nrj.cpu.conv", before);
    }
  }
}
