package io.nrj.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nrj.runtime.ConvGeom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The automatic choice on the benchmark networks' 3x3 layers (batch 64), as calibrated in {@link
 * ConvAlgo}: a changed rule shows here before it shows in a benchmark.
 */
class ConvAlgoChoiceTest {
  @ParameterizedTest(name = "{0}->{2} at {1}x{1}: {3} / {4} / {5}")
  @CsvSource({
    // VGG-19-NR's wide layers: Winograd in chunks (WinogradLanes' packed filters would lift its RSS)
    "512, 8, 512, WINOGRAD, WINOGRAD, WINOGRAD",
    "256, 16, 512, WINOGRAD, WINOGRAD, WINOGRAD",
    "128, 16, 256, WINOGRAD, WINOGRAD, WINOGRAD",
    // 32 columns stay with Winograd in chunks
    "128, 32, 128, WINOGRAD, WINOGRAD, WINOGRAD",
    // the small VGG's and ResNet-164's 32 and 64 channels: all three passes
    "64, 8, 64, WINOGRAD_LANES, WINOGRAD_LANES, WINOGRAD_LANES",
    "32, 16, 32, WINOGRAD_LANES, WINOGRAD_LANES, WINOGRAD_LANES",
    "32, 8, 64, WINOGRAD_LANES, WINOGRAD_LANES, WINOGRAD_LANES",
    // 16 input planes keep the lanes kernels forward; its backward data (into 16) the direct
    // kernels; its weight gradient WinogradLanes
    "16, 16, 32, LANES, DIRECT, WINOGRAD_LANES",
    // 32 columns, 16 channels (the small VGG's and ResNet-164's first stage): the direct kernels'
    // weight gradient
    "16, 32, 16, DIRECT, DIRECT, DIRECT",
    // an NR-grown layer whose 40 outputs fill 40 of 64 lanes: the direct kernels but for backward
    // data (into 32 planes)
    "32, 8, 40, DIRECT, WINOGRAD_LANES, DIRECT",
  })
  void picksByShape(int c, int hw, int k, ConvAlgo forward, ConvAlgo backwardData, ConvAlgo backwardFilter) {
    ConvGeom g = new ConvGeom(64, c, hw, hw, k, 3, 3, 1, 1);
    assertEquals(forward, ConvAlgo.choose("auto", g, ConvAlgo.Pass.FORWARD), "forward");
    assertEquals(backwardData, ConvAlgo.choose("auto", g, ConvAlgo.Pass.BACKWARD_DATA), "backward data");
    assertEquals(backwardFilter, ConvAlgo.choose("auto", g, ConvAlgo.Pass.BACKWARD_FILTER), "weight gradient");
  }
}
