package io.nrj.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nrj.dsl.ast.Definition;
import io.nrj.dsl.ast.Expression;
import io.nrj.dsl.ast.Identifier;
import io.nrj.dsl.ast.Label;
import io.nrj.dsl.ast.NetworkSetting;
import io.nrj.dsl.ast.NrFile;
import io.nrj.dsl.ast.Reference;
import io.nrj.dsl.ast.Setting;
import io.nrj.dsl.ast.Statement;
import io.nrj.dsl.ast.Statement.OptionKind;
import io.nrj.dsl.parser.DslParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Golden AST tests: the expected tree is built by hand with every location set to one placeholder,
 * and the parsed tree is compared after the same normalisation (records compare locations).
 */
class AstBuilderTest {
  private static final SourceLocation L = SourceLocation.UNKNOWN;

  @Test
  void buildsBlocksCallsAndExpressionsWithPrecedence() {
    NrFile file =
        DslParser.parseNetwork(
            """
            block b(p, s = 1) { x: conv p * 4 + 1 k3 stride s norelu from image }
            network n { input 3x8x8 classes 2 layer1: repeat 2 { b(8, s = 2) } residual project { relu } classifier }
            """,
            "g.nr");
    Expression p4plus1 =
        new Expression.Binary(
            '+', new Expression.Binary('*', new Expression.Variable("p", L), new Expression.IntLiteral("4", L), L),
            new Expression.IntLiteral("1", L), L);
    Definition.BlockDef block =
        new Definition.BlockDef(
            id("b"),
            List.of(
                new Definition.Parameter(id("p"), null, L),
                new Definition.Parameter(id("s"), new Expression.IntLiteral("1", L), L)),
            List.of(
                new Statement.Conv(
                    new Label("x", L),
                    p4plus1,
                    List.of(
                        new Statement.Option(OptionKind.KERNEL, new Expression.IntLiteral("3", L), null, L),
                        new Statement.Option(OptionKind.STRIDE, new Expression.Variable("s", L), null, L),
                        new Statement.Option(OptionKind.NORELU, null, null, L),
                        new Statement.Option(OptionKind.FROM, null, new Reference("image", true, L), L)),
                    L)),
            L);
    Definition.NetworkDef network =
        new Definition.NetworkDef(
            id("n"),
            List.of(new NetworkSetting.InputShape(3, 8, 8, L), new NetworkSetting.Classes(new Expression.IntLiteral("2", L), L)),
            List.of(
                new Statement.Repeat(
                    new Label("layer1", L),
                    new Expression.IntLiteral("2", L),
                    List.of(
                        new Statement.Call(
                            null,
                            id("b"),
                            List.of(
                                new Statement.Argument(null, new Expression.IntLiteral("8", L), L),
                                new Statement.Argument(id("s"), new Expression.IntLiteral("2", L), L)),
                            L)),
                    L),
                new Statement.Residual(null, true, List.of(new Statement.Relu(null, null, L)), null, L),
                new Statement.Classifier(null, null, L)),
            L);
    assertEquals(new NrFile(List.of(block, network), L), AstNormalizer.normalize(file));
  }

  @Test
  void groupsScheduleLinesIntoSettings() {
    NrFile file =
        DslParser.parseNetwork(
            "schedule s { sgd lr 0.1 momentum 0.9 lr_steps 3 gamma 0.5 rejuvenate { sparsity adaptive step 1e-5 compress_only } }",
            "g.nr");
    Setting.Value.Number lr = new Setting.Value.Number(0.1, "0.1", L);
    Setting expected =
        new Setting("sgd", List.of(), List.of(
            new Setting("lr", List.of(lr), List.of(), L),
            new Setting("momentum", List.of(new Setting.Value.Number(0.9, "0.9", L)), List.of(), L)), L);
    Definition.ScheduleDef s = (Definition.ScheduleDef) AstNormalizer.normalize(file).definitions().getFirst();
    assertEquals(expected, s.settings().get(0));
    assertEquals(
        new Setting("lr_steps", List.of(), List.of(
            new Setting("lr_steps", List.of(new Setting.Value.Number(3, "3", L)), List.of(), L),
            new Setting("gamma", List.of(new Setting.Value.Number(0.5, "0.5", L)), List.of(), L)), L),
        s.settings().get(1));
    assertEquals(
        new Setting("rejuvenate", List.of(), List.of(
            new Setting("sparsity", List.of(new Setting.Value.Word("adaptive", L)), List.of(
                new Setting("step", List.of(new Setting.Value.Number(1e-5, "1e-5", L)), List.of(), L)), L),
            new Setting("compress_only", List.of(), List.of(), L)), L),
        s.settings().get(2));
  }

  private static Identifier id(String name) {
    return new Identifier(name, L);
  }
}
