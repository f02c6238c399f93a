package io.nrj.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.ir.ScheduleIr.Precision;
import io.nrj.runtime.Backend;
import io.nrj.runtime.Devices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

class DevicesTest {
  @Test
  void cpuOpensTheCpuBackend() {
    try (Backend b = Devices.open("cpu")) {
      assertEquals("cpu", b.name());
    }
  }

  @Test
  void rejectsAnUnknownDevice() {
    var e = assertThrows(IllegalArgumentException.class, () -> Devices.open("gpu"));
    assertEquals("unknown device 'gpu'; expected auto, cpu or cuda", e.getMessage());
  }

  @Test
  void precisionOptionOverridesTheSchedule() {
    assertEquals(Precision.TF32, Devices.precision("tf32", Precision.FP32));
    assertEquals(Precision.FP32, Devices.precision("fp32", Precision.TF32));
    assertEquals(Precision.TF32, Devices.precision(null, Precision.TF32));
    assertEquals(Precision.FP32, Devices.precision(null, null));
    var e = assertThrows(IllegalArgumentException.class, () -> Devices.precision("TF32", null));
    assertEquals("--precision must be fp32 or tf32, got 'TF32'", e.getMessage());
  }

  @Test
  @EnabledIf("io.nrj.runtime.cuda.GpuSupport#gpuUnavailable")
  void cudaFailsWithEveryReasonWhenUnavailable() {
    var e = assertThrows(CudaUnavailableException.class, () -> Devices.open("cuda"));
    assertTrue(e.getMessage().startsWith("CUDA unavailable: "), e.getMessage());
    assertEquals(e.getMessage(), "CUDA unavailable: " + String.join("; ", e.problems()));
    assertTrue(!e.problems().isEmpty());
  }

  @Test
  @EnabledIf("io.nrj.runtime.cuda.NativeLibrariesProbe#cudnnMissing")
  void cudaNamesTheMissingCudnn() {
    var e = assertThrows(CudaUnavailableException.class, () -> Devices.open("cuda"));
    assertTrue(e.problems().stream().anyMatch(p -> p.startsWith(
        "missing library libcudnn.so.9 (looked in the system loader path (LD_LIBRARY_PATH, /etc/ld.so.cache); ")),
        e.getMessage());
  }

  @Test
  @EnabledIf("io.nrj.runtime.cuda.GpuSupport#cudartWithoutDriver")
  void cudaNamesTheDriverProblemWhenTheRuntimeLoadsWithoutADriver() {
    var e = assertThrows(CudaUnavailableException.class, () -> Devices.open("cuda"));
    assertEquals("no CUDA device: cudaGetDeviceCount returned cudaErrorInsufficientDriver (35): CUDA driver "
        + "version is insufficient for CUDA runtime version (is an NVIDIA driver installed and a GPU visible? "
        + "check nvidia-smi)", e.problems().getLast());
  }

  @Test
  @EnabledIf("io.nrj.runtime.cuda.GpuSupport#cudartWithoutDriver")
  void autoNoteSummarisesEachProblemInAFewWords() {
    CudaProbe.Result probe = CudaProbe.probe();
    assertTrue(probe.summary().endsWith("no CUDA device (cudaErrorInsufficientDriver)"), probe.summary());
    assertEquals(probe.problems().size(), probe.shortProblems().size());
  }

  @Test
  @EnabledIf("io.nrj.runtime.cuda.GpuSupport#gpuUnavailable")
  void autoFallsBackToTheCpuWithAOneLineNote() {
    var err = new ByteArrayOutputStream();
    PrintStream saved = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try (Backend b = Devices.open("auto")) {
      assertEquals("cpu", b.name());
    } finally {
      System.setErr(saved);
    }
    String note = err.toString(StandardCharsets.UTF_8);
    assertTrue(note.startsWith("nrj: CUDA unavailable ("), note);
    assertTrue(note.endsWith("); using the CPU. --device cuda says why in full\n"), note);
    assertEquals(1, note.lines().count(), note);
  }

  @Test
  @EnabledIf("io.nrj.runtime.cuda.GpuSupport#gpuAvailable")
  void autoAndCudaOpenTheGpu() {
    try (Backend b = Devices.open("auto")) {
      assertEquals("cuda", b.name());
    }
    try (Backend b = Devices.open("cuda")) {
      assertEquals("cuda", b.name());
    }
  }
}
