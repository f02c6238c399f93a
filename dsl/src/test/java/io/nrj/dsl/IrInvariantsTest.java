package io.nrj.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.dsl.ir.InitScheme;
import io.nrj.dsl.ir.IrNode;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrModule;
import io.nrj.dsl.ir.Shape;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Invariants every resolved network keeps, and the roles and names the shipped specs get. */
class IrInvariantsTest {
  static List<Path> specs() {
    return Specs.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void everySpecKeepsTheIrInvariants(Path spec) {
    NrModule m = Specs.compileSpec(spec.getFileName().toString());
    assertEquals(1, m.networks().size());
    assertEquals(1, m.trains().size());
    NetworkIr ir = m.networks().getFirst();
    Set<String> names = new HashSet<>();
    int convIndex = 0;
    for (int i = 0; i < ir.nodes().size(); i++) {
      IrNode n = ir.nodes().get(i);
      assertEquals(i, n.id(), "id == index");
      assertTrue(names.add(n.name()), "unique name " + n.name());
      for (int in : n.inputs()) assertTrue(in >= IrNode.IMAGE && in < i, "topological order at " + n.name());
      if (n instanceof IrNode.Conv c) assertEquals(convIndex++, c.convIndex(), "convIndex in order of appearance");
      if (i < ir.nodes().size() - 1) assertFalse(n instanceof IrNode.Classifier);
    }
    assertInstanceOf(IrNode.Classifier.class, ir.nodes().getLast());
    assertEquals("classifier", ir.classifier().name());
    assertEquals(ir.convs().size(), ir.widths().size());
    // shapes(widths) at the declared widths reproduces the resolver's shapes
    Shape[] shapes = ir.shapes(ir.widths());
    for (IrNode n : ir.nodes()) assertEquals(n.out(), shapes[n.id()], n.name());
    // exactly the first conv reads the image and is the input layer
    List<IrNode.Conv> inputs = ir.convs().stream().filter(IrNode.Conv::isInput).toList();
    assertEquals(1, inputs.size());
    assertEquals(List.of(IrNode.IMAGE), inputs.getFirst().inputs());
    // every conv feeding a residual sum is fixed
    for (IrNode n : ir.nodes()) {
      if (n instanceof IrNode.Add a) {
        for (int in : a.inputs()) {
          if (ir.nodes().get(in) instanceof IrNode.Conv c) assertTrue(c.fixed(), c.name() + " feeds " + a.name());
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void everySpecCompilesWellUnderASecond(Path spec) {
    String source = Specs.source(spec.getFileName().toString());
    NrCompiler.compile("warm-up.nr", source);
    long start = System.nanoTime();
    CompileResult r = NrCompiler.compile(spec.getFileName().toString(), source);
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(r.ok());
    assertTrue(millis < 500, spec + " took " + millis + " ms");
  }

  private static Map<String, IrNode> byName(NetworkIr ir) {
    return ir.nodes().stream().collect(Collectors.toMap(IrNode::name, Function.identity()));
  }

  @Test
  void resnetBlocksGetModulePathNamesAndFixedRoles() {
    NetworkIr ir = Specs.compileSpec("resnet50_nr.nr").network("resnet50_nr").orElseThrow();
    Map<String, IrNode> n = byName(ir);
    IrNode.Conv stem = (IrNode.Conv) n.get("conv1");
    assertTrue(stem.isInput() && stem.fixed());
    assertEquals(new Shape(64, 112, 112), stem.out());
    assertEquals(3, stem.pad());
    IrNode.Conv conv1 = (IrNode.Conv) n.get("layer2.0.conv1");
    assertFalse(conv1.fixed());
    IrNode.Conv conv2 = (IrNode.Conv) n.get("layer2.0.conv2");
    assertEquals(2, conv2.stride());
    assertEquals(new Shape(128, 28, 28), conv2.out());
    IrNode.Conv conv3 = (IrNode.Conv) n.get("layer2.0.conv3");
    assertTrue(conv3.fixed());
    assertFalse(conv3.relu());
    IrNode.Conv down = (IrNode.Conv) n.get("layer2.0.downsample");
    assertTrue(down.fixed());
    assertEquals(List.of(1, 2, 0), List.of(down.kernel(), down.stride(), down.pad()));
    assertEquals(new Shape(256, 56, 56), down.in());
    assertEquals(new Shape(512, 28, 28), down.out());
    // identity shortcuts in later blocks: the add reads the previous block's relu directly
    assertFalse(n.containsKey("layer2.1.downsample"));
    IrNode.Add add = (IrNode.Add) n.get("layer2.1.0");
    assertEquals(n.get("layer2.1.conv3").id(), add.inputs().get(0));
    assertEquals(n.get("layer2.0.5").id(), add.inputs().get(1));
    assertEquals(new Shape(2048, 7, 7), ir.classifier().in());
    assertEquals(new InitScheme(1.0, InitScheme.ClassifierInit.NORMAL_001), ir.init());
  }

  @Test
  void vggNamesAreFeatureIndicesAndGammaIsHalf() {
    NetworkIr ir = Specs.compileSpec("vgg19_nr.nr").network("vgg19_nr").orElseThrow();
    assertEquals("features.3", ir.nodes().get(3).name());
    assertInstanceOf(IrNode.MaxPool.class, ir.nodes().get(4));
    assertEquals("features.5", ir.nodes().get(5).name());
    assertTrue(ir.convs().stream().noneMatch(IrNode.Conv::fixed));
    assertEquals(0.5, ir.init().bnGamma());
    assertEquals(new Shape(512, 8, 8), ir.classifier().in());
  }

  @Test
  void cifarResnetUsesHeClassifierInit() {
    NetworkIr ir = Specs.compileSpec("resnet164_nr.nr").network("resnet164_nr").orElseThrow();
    assertEquals(InitScheme.ClassifierInit.HE, ir.init().classifier());
    assertEquals(1.0, ir.init().bnGamma());
    assertEquals(166, ir.convs().size());
  }

  @Test
  void densenetConvsSplitOutputsAndConcatenateInputFirst() {
    NetworkIr ir = Specs.compileSpec("densenet_bc100_k40_nr.nr").network("densenet_bc100_k40_nr").orElseThrow();
    assertTrue(ir.convs().stream().allMatch(IrNode.Conv::splitOutput));
    assertTrue(ir.convs().stream().noneMatch(IrNode.Conv::fixed));
    Map<String, IrNode> n = byName(ir);
    IrNode.Concat first = (IrNode.Concat) n.get("block1.0.0");
    assertEquals(List.of(0, n.get("block1.0.conv2").id()), first.inputs());
    assertEquals(new Shape(120, 32, 32), first.out());
    assertEquals(new Shape(720, 32, 32), n.get("block1.15.0").out());
    assertEquals(new Shape(360, 32, 32), n.get("trans1.0").out());
    assertEquals(new Shape(360, 16, 16), n.get("trans1.1").out());
    assertEquals(new Shape(1140, 8, 8), ir.classifier().in());
  }
}
