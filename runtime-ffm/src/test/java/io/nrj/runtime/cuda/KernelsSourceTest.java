package io.nrj.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class KernelsSourceTest {
  @Test
  void everyLaunchedKernelIsDefinedInTheShippedSourceAndViceVersa() {
    var defined = new TreeSet<String>();
    var m = Pattern.compile("extern \"C\" __global__ void (\\w+)\\(").matcher(Kernels.source());
    while (m.find()) {
      defined.add(m.group(1));
    }
    assertEquals(new TreeSet<>(Kernels.NAMES), defined);
  }
}
