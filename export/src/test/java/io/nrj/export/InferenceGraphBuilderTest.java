package io.nrj.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.Widths;
import io.nrj.export.TrainedCheckpoints.Net;
import io.nrj.export.TrainedCheckpoints.Stage;
import io.nrj.export.torch.TorchModuleWriter;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.HostTensor;
import io.nrj.runtime.nr.MixedLayout;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Checkpoints that cannot be exported give an {@link ExportException} naming the file and the
 * tensor or layer, before anything is written. The base is a real LeNet-5 checkpoint (widths [20,
 * 50, 500]; convs features.0, .2, .4 with max-pools features.1, .3 between them), broken one way
 * per test.
 */
class InferenceGraphBuilderTest {
  private static TrainedNetwork lenet() throws Exception {
    return TrainedCheckpoints.get(Net.LENET5, Stage.BEFORE).network();
  }

  private static TrainedNetwork with(TrainedNetwork t, Widths w, MixedLayout l, Consumer<HostParams> edit) {
    HostParams p = t.params().copy();
    edit.accept(p);
    return new TrainedNetwork(t.checkpoint(), t.ir(), w, l, p, t.normalize(), t.epoch());
  }

  private static TrainedNetwork edited(TrainedNetwork t, Consumer<HostParams> edit) {
    return with(t, t.widths(), t.layout(), edit);
  }

  private static void assertFails(TrainedNetwork t, String problem) {
    ExportException e = assertThrows(ExportException.class, () -> InferenceGraphBuilder.build(t));
    assertEquals(t.checkpoint(), e.file());
    assertEquals(problem, e.problem());
  }

  @Test
  void missingTensor() throws Exception {
    assertFails(
        edited(lenet(), p -> p.remove("features.2.bn.running_mean")),
        "tensor 'features.2.bn.running_mean' is missing (network lenet5 at widths [20, 50, 500])");
  }

  @Test
  void misshapenTensor() throws Exception {
    assertFails(
        edited(lenet(), p -> p.put("features.4.conv.weight", HostTensor.zeros(500, 50, 3, 3))),
        "tensor 'features.4.conv.weight' has shape [500, 50, 3, 3], network lenet5 at widths [20, 50, 500] needs"
            + " [500, 50, 4, 4]");
  }

  @Test
  void nonFiniteValue() throws Exception {
    assertFails(
        edited(lenet(), p -> p.get("classifier.bias").data()[3] = Float.NaN),
        "tensor 'classifier.bias' holds NaN at index 3: the run diverged; export an earlier checkpoint");
  }

  @Test
  void negativeRunningVariance() throws Exception {
    assertFails(
        edited(lenet(), p -> p.get("features.0.bn.running_var").data()[7] = -0.5f),
        "tensor 'features.0.bn.running_var' is negative at channel 7");
  }

  @Test
  void tensorOfNoLayer() throws Exception {
    assertFails(
        edited(lenet(), p -> p.put("features.9.conv.weight", HostTensor.zeros(2))),
        "tensor 'features.9.conv.weight' is not part of network lenet5 at widths [20, 50, 500]");
  }

  @Test
  void convAfterADeletedLayerInAChain() throws Exception {
    TrainedNetwork t = lenet();
    assertFails(
        with(t, new Widths(new int[] {20, 0, 500}), null, p -> drop(p, "features.2")),
        "conv features.4 has no input: features.3 outputs nothing (fully dead layers were deleted at rejuvenation;"
            + " nrj eval cannot run this network either)");
  }

  @Test
  void classifierAfterADeletedLayer() throws Exception {
    TrainedNetwork t = lenet();
    assertFails(
        with(t, new Widths(new int[] {20, 50, 0}), null, p -> drop(p, "features.4")),
        "classifier classifier has no input features: features.4 outputs nothing (fully dead layers were deleted at"
            + " rejuvenation; nrj eval cannot run this network either)");
  }

  @Test
  void layoutOfAnotherNetwork() throws Exception {
    TrainedNetwork t = lenet();
    MixedLayout two = new MixedLayout(List.of(new MixedLayout.ConvSplit(1, 5, false, false), new MixedLayout.ConvSplit(5, 30, true, false)), 30, CrossMode.REMOVED);
    assertFails(with(t, t.widths(), two, p -> {}), "its mixed layout has 2 convs but network lenet5 has 3");
  }

  @Test
  void crossAttentionSplitBeyondTheWidths() throws Exception {
    TrainedNetwork t = lenet();
    MixedLayout l =
        new MixedLayout(
            List.of(new MixedLayout.ConvSplit(1, 10, false, false), new MixedLayout.ConvSplit(10, 60, true, false),
                new MixedLayout.ConvSplit(50, 250, true, false)),
            250, CrossMode.ATTENTION);
    assertFails(
        with(t, t.widths(), l, p -> {}),
        "its mixed layout splits conv features.2 (20 -> 50 channels) at 10 survivor inputs and 60 survivor outputs");
  }

  @Test
  void normalisationForOtherChannels() throws Exception {
    TrainedNetwork t = lenet();
    TrainedNetwork n =
        new TrainedNetwork(t.checkpoint(), t.ir(), t.widths(), null, t.params(),
            new ScheduleIr.Normalize(List.of(0.5, 0.4, 0.3), List.of(0.2)), t.epoch());
    assertFails(n, "its schedule's normalize mean has 3 values but the images have 1 channel");
  }

  private static void drop(HostParams p, String layer) {
    for (String name : List.copyOf(p.asMap().keySet())) if (name.startsWith(layer + ".")) p.remove(name);
  }

  @Test
  void torchRefusesALayerNamedLikeAModuleMethod() {
    InferenceGraph graph =
        InferenceGraphBuilder.build(
            FreshNetwork.of("shadow", """
                network shadow {
                  input 1x8x8
                  classes 2
                  eval: conv 4 k3 input
                  classifier
                }
                """));
    ExportException e = assertThrows(ExportException.class, () -> TorchModuleWriter.source(graph));
    assertEquals(
        "shadow.safetensors: layer 'eval' cannot be a PyTorch module path: 'eval' is an attribute of torch.nn.Module;"
            + " rename it in the .nr source to export for PyTorch",
        e.getMessage());
  }
}
