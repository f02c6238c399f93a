package io.nrj.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: "bench --kernels reports a LeNet-5 training step from a hand-fused path that training
 * never uses". The kernel report has kernels only. Opt-in (-Dnrj.slow=true): every figure warms up
 * for two seconds, so the whole report takes about a minute.
 */
class CpuKernelBenchTest {
  @Test
  void theKernelReportHasNoTrainingStepFigure() {
    assumeTrue(Boolean.getBoolean("nrj.slow"), "set -Dnrj.slow=true to run the kernel benchmark (about a minute)");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CpuKernelBench.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), 0.01);
    String report = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(report.contains("sgemm 1024x1024x1024: ") && report.contains("conv n32 512->512 3x3 @4x4: "), report);
    assertFalse(report.toLowerCase().contains("training step"), report);
  }
}
