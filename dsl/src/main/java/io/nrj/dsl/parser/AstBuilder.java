package io.nrj.dsl.parser;

import io.nrj.dsl.SourceLocation;
import io.nrj.dsl.ast.Definition;
import io.nrj.dsl.ast.Expression;
import io.nrj.dsl.ast.Identifier;
import io.nrj.dsl.ast.Label;
import io.nrj.dsl.ast.NetworkSetting;
import io.nrj.dsl.ast.Node;
import io.nrj.dsl.ast.NrFile;
import io.nrj.dsl.ast.Reference;
import io.nrj.dsl.ast.Setting;
import io.nrj.dsl.ast.Statement;
import io.nrj.dsl.ast.Statement.OptionKind;
import io.nrj.grammar.NrBaseVisitor;
import io.nrj.grammar.NrParser;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Builds the immutable AST from ANTLR's parse tree (a catalogue, like Trino's AstBuilder): each
 * {@code visitX} builds one record. It checks nothing semantic; values stay as written.
 */
final class AstBuilder extends NrBaseVisitor<Node> {
  private final String sourceName;

  AstBuilder(String sourceName) {
    this.sourceName = sourceName;
  }

  NrFile build(NrParser.NrFileContext tree) {
    return (NrFile) visit(tree);
  }

  // ---- definitions

  @Override
  public Node visitNrFile(NrParser.NrFileContext ctx) {
    return new NrFile(visit(ctx.definition(), Definition.class), location(ctx));
  }

  @Override
  public Node visitNetworkDefinition(NrParser.NetworkDefinitionContext ctx) {
    List<NetworkSetting> settings = new ArrayList<>();
    List<Statement> body = new ArrayList<>();
    for (NrParser.NetworkItemContext item : ctx.networkItem()) {
      Node n = visit(item);
      if (n instanceof NetworkSetting s) settings.add(s);
      else body.add((Statement) n);
    }
    return new Definition.NetworkDef(identifier(ctx.name), settings, body, location(ctx));
  }

  @Override
  public Node visitBlockDefinition(NrParser.BlockDefinitionContext ctx) {
    return new Definition.BlockDef(
        identifier(ctx.name),
        visit(ctx.parameter(), Definition.Parameter.class),
        visit(ctx.layer(), Statement.class),
        location(ctx));
  }

  @Override
  public Node visitParameter(NrParser.ParameterContext ctx) {
    return new Definition.Parameter(
        identifier(ctx.name), visitIfPresent(ctx.defaultValue, Expression.class), location(ctx));
  }

  @Override
  public Node visitScheduleDefinition(NrParser.ScheduleDefinitionContext ctx) {
    return new Definition.ScheduleDef(
        identifier(ctx.name), visit(ctx.scheduleItem(), Setting.class), location(ctx));
  }

  @Override
  public Node visitTrainDefinition(NrParser.TrainDefinitionContext ctx) {
    return new Definition.TrainDef(identifier(ctx.network), identifier(ctx.schedule), location(ctx));
  }

  // ---- network settings

  @Override
  public Node visitInputShape(NrParser.InputShapeContext ctx) {
    String[] parts = ctx.shape.getText().split("x");
    return new NetworkSetting.InputShape(
        parseSize(parts[0]), parseSize(parts[1]), parseSize(parts[2]), location(ctx));
  }

  /** Sizes beyond long stay representable as a marker the resolver rejects as too large. */
  private static long parseSize(String digits) {
    return digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
  }

  @Override
  public Node visitClassCount(NrParser.ClassCountContext ctx) {
    return new NetworkSetting.Classes(visit(ctx.count, Expression.class), location(ctx));
  }

  @Override
  public Node visitBnGamma(NrParser.BnGammaContext ctx) {
    return new NetworkSetting.BnGamma(number(ctx.value), location(ctx));
  }

  @Override
  public Node visitClassifierInit(NrParser.ClassifierInitContext ctx) {
    return new NetworkSetting.ClassifierInit(identifier(ctx.kind), location(ctx));
  }

  @Override
  public Node visitNetworkLayer(NrParser.NetworkLayerContext ctx) {
    return visit(ctx.layer());
  }

  // ---- layers

  @Override
  public Node visitLayer(NrParser.LayerContext ctx) {
    pendingLabel = ctx.label == null ? null : new Label(ctx.label.getText(), location(ctx.label));
    return visit(ctx.layerBody());
  }

  /** The label written in front of the layer body being built; read once by its visitX. */
  private Label pendingLabel;

  private Label takeLabel() {
    Label label = pendingLabel;
    pendingLabel = null;
    return label;
  }

  @Override
  public Node visitConv(NrParser.ConvContext ctx) {
    Label label = takeLabel();
    return new Statement.Conv(
        label, expression(ctx.width), visit(ctx.convOption(), Statement.Option.class), location(ctx));
  }

  @Override
  public Node visitMaxPool(NrParser.MaxPoolContext ctx) {
    Label label = takeLabel();
    return new Statement.Pool(
        label, true, expression(ctx.window), visit(ctx.poolOption(), Statement.Option.class), location(ctx));
  }

  @Override
  public Node visitAvgPool(NrParser.AvgPoolContext ctx) {
    Label label = takeLabel();
    return new Statement.Pool(
        label, false, expression(ctx.window), visit(ctx.poolOption(), Statement.Option.class), location(ctx));
  }

  @Override
  public Node visitRelu(NrParser.ReluContext ctx) {
    Label label = takeLabel();
    return new Statement.Relu(label, source(ctx.source()), location(ctx));
  }

  @Override
  public Node visitResidual(NrParser.ResidualContext ctx) {
    Label label = takeLabel();
    List<Statement> shortcut = ctx.shortcut == null ? null : layers(ctx.shortcut);
    return new Statement.Residual(label, ctx.PROJECT() != null, layers(ctx.branch), shortcut, location(ctx));
  }

  @Override
  public Node visitDense(NrParser.DenseContext ctx) {
    Label label = takeLabel();
    return new Statement.Dense(label, visit(ctx.layer(), Statement.class), location(ctx));
  }

  @Override
  public Node visitRepeat(NrParser.RepeatContext ctx) {
    Label label = takeLabel();
    return new Statement.Repeat(
        label, expression(ctx.count), visit(ctx.layer(), Statement.class), location(ctx));
  }

  @Override
  public Node visitAdd(NrParser.AddContext ctx) {
    Label label = takeLabel();
    return new Statement.Join(label, true, visit(ctx.reference(), Reference.class), location(ctx));
  }

  @Override
  public Node visitConcat(NrParser.ConcatContext ctx) {
    Label label = takeLabel();
    return new Statement.Join(label, false, visit(ctx.reference(), Reference.class), location(ctx));
  }

  @Override
  public Node visitClassifier(NrParser.ClassifierContext ctx) {
    Label label = takeLabel();
    return new Statement.Classifier(label, source(ctx.source()), location(ctx));
  }

  @Override
  public Node visitBlockCall(NrParser.BlockCallContext ctx) {
    Label label = takeLabel();
    return new Statement.Call(
        label, identifier(ctx.name), visit(ctx.argument(), Statement.Argument.class), location(ctx));
  }

  private List<Statement> layers(NrParser.LayersContext ctx) {
    return visit(ctx.layer(), Statement.class);
  }

  private Reference source(NrParser.SourceContext ctx) {
    return ctx == null ? null : (Reference) visit(ctx.reference());
  }

  @Override
  public Node visitReference(NrParser.ReferenceContext ctx) {
    return new Reference(ctx.getText(), ctx.IMAGE() != null, location(ctx));
  }

  @Override
  public Node visitArgument(NrParser.ArgumentContext ctx) {
    Identifier name = ctx.name == null ? null : identifier(ctx.name);
    return new Statement.Argument(name, expression(ctx.value), location(ctx));
  }

  // ---- conv and pool options

  @Override
  public Node visitKernelShort(NrParser.KernelShortContext ctx) {
    Token t = ctx.KERNEL_SHORT().getSymbol();
    SourceLocation at = location(t);
    return option(OptionKind.KERNEL, new Expression.IntLiteral(t.getText().substring(1), at), ctx);
  }

  @Override
  public Node visitKernelLong(NrParser.KernelLongContext ctx) {
    return option(OptionKind.KERNEL, expression(ctx.size), ctx);
  }

  @Override
  public Node visitConvStride(NrParser.ConvStrideContext ctx) {
    return option(OptionKind.STRIDE, expression(ctx.step), ctx);
  }

  @Override
  public Node visitConvPad(NrParser.ConvPadContext ctx) {
    return option(OptionKind.PAD, expression(ctx.amount), ctx);
  }

  @Override
  public Node visitNoRelu(NrParser.NoReluContext ctx) {
    return option(OptionKind.NORELU, null, ctx);
  }

  @Override
  public Node visitInputFlag(NrParser.InputFlagContext ctx) {
    return option(OptionKind.INPUT, null, ctx);
  }

  @Override
  public Node visitFixedFlag(NrParser.FixedFlagContext ctx) {
    return option(OptionKind.FIXED, null, ctx);
  }

  @Override
  public Node visitSplitFlag(NrParser.SplitFlagContext ctx) {
    return option(OptionKind.SPLIT, null, ctx);
  }

  @Override
  public Node visitConvSource(NrParser.ConvSourceContext ctx) {
    return new Statement.Option(OptionKind.FROM, null, source(ctx.source()), location(ctx));
  }

  @Override
  public Node visitPoolStride(NrParser.PoolStrideContext ctx) {
    return option(OptionKind.STRIDE, expression(ctx.step), ctx);
  }

  @Override
  public Node visitPoolPad(NrParser.PoolPadContext ctx) {
    return option(OptionKind.PAD, expression(ctx.amount), ctx);
  }

  @Override
  public Node visitPoolSource(NrParser.PoolSourceContext ctx) {
    return new Statement.Option(OptionKind.FROM, null, source(ctx.source()), location(ctx));
  }

  private Statement.Option option(OptionKind kind, Expression value, ParserRuleContext ctx) {
    return new Statement.Option(kind, value, null, location(ctx));
  }

  // ---- expressions

  @Override
  public Node visitParenthesized(NrParser.ParenthesizedContext ctx) {
    return visit(ctx.expression());
  }

  @Override
  public Node visitUnary(NrParser.UnaryContext ctx) {
    return new Expression.Unary(ctx.operator.getText().charAt(0), expression(ctx.expression()), location(ctx));
  }

  @Override
  public Node visitMultiplicative(NrParser.MultiplicativeContext ctx) {
    return binary(ctx.operator, ctx.left, ctx.right, ctx);
  }

  @Override
  public Node visitAdditive(NrParser.AdditiveContext ctx) {
    return binary(ctx.operator, ctx.left, ctx.right, ctx);
  }

  private Expression binary(
      Token operator, NrParser.ExpressionContext left, NrParser.ExpressionContext right, ParserRuleContext ctx) {
    return new Expression.Binary(
        operator.getText().charAt(0), expression(left), expression(right), location(operator));
  }

  @Override
  public Node visitIntegerLiteral(NrParser.IntegerLiteralContext ctx) {
    return new Expression.IntLiteral(ctx.getText(), location(ctx));
  }

  @Override
  public Node visitInputChannels(NrParser.InputChannelsContext ctx) {
    return new Expression.InputChannels(location(ctx));
  }

  @Override
  public Node visitVariable(NrParser.VariableContext ctx) {
    return new Expression.Variable(ctx.getText(), location(ctx));
  }

  private Expression expression(NrParser.ExpressionContext ctx) {
    return visit(ctx, Expression.class);
  }

  // ---- schedules: each line becomes one Setting; multi-option lines become a group

  @Override
  public Node visitEpochs(NrParser.EpochsContext ctx) {
    return setting("epochs", ctx, integer(ctx.count));
  }

  @Override
  public Node visitBatch(NrParser.BatchContext ctx) {
    return setting("batch", ctx, integer(ctx.size));
  }

  @Override
  public Node visitTestBatch(NrParser.TestBatchContext ctx) {
    return setting("test_batch", ctx, integer(ctx.size));
  }

  @Override
  public Node visitSgd(NrParser.SgdContext ctx) {
    return group("sgd", ctx, visit(ctx.sgdOption(), Setting.class));
  }

  @Override
  public Node visitSgdLr(NrParser.SgdLrContext ctx) {
    return setting("lr", ctx, number(ctx.value));
  }

  @Override
  public Node visitSgdMomentum(NrParser.SgdMomentumContext ctx) {
    return setting("momentum", ctx, number(ctx.value));
  }

  @Override
  public Node visitSgdWeightDecay(NrParser.SgdWeightDecayContext ctx) {
    return setting("weight_decay", ctx, number(ctx.value));
  }

  @Override
  public Node visitLrSteps(NrParser.LrStepsContext ctx) {
    List<Setting.Value> steps = new ArrayList<>();
    for (TerminalNode t : ctx.INT()) steps.add(integer(t.getSymbol()));
    List<Setting> children = new ArrayList<>();
    children.add(new Setting("lr_steps", steps, List.of(), location(ctx)));
    if (ctx.factor != null) {
      children.add(new Setting("gamma", List.of(number(ctx.factor)), List.of(), location(ctx.GAMMA().getSymbol())));
    }
    return group("lr_steps", ctx, children);
  }

  @Override
  public Node visitAugment(NrParser.AugmentContext ctx) {
    return group("augment", ctx, visit(ctx.augmentOption(), Setting.class));
  }

  @Override
  public Node visitCrop(NrParser.CropContext ctx) {
    return setting("crop", ctx, integer(ctx.size));
  }

  @Override
  public Node visitAugmentPad(NrParser.AugmentPadContext ctx) {
    return setting("pad", ctx, integer(ctx.amount));
  }

  @Override
  public Node visitFlip(NrParser.FlipContext ctx) {
    return new Setting("flip", List.of(), List.of(), location(ctx));
  }

  @Override
  public Node visitResizedCrop(NrParser.ResizedCropContext ctx) {
    return setting("resized_crop", ctx, integer(ctx.size));
  }

  @Override
  public Node visitResize(NrParser.ResizeContext ctx) {
    return setting("resize", ctx, integer(ctx.size));
  }

  @Override
  public Node visitNormalize(NrParser.NormalizeContext ctx) {
    List<Setting.Value> mean = new ArrayList<>();
    for (NrParser.NumberContext n : ctx.mean) mean.add(number(n));
    List<Setting.Value> std = new ArrayList<>();
    for (NrParser.NumberContext n : ctx.std) std.add(number(n));
    return group(
        "normalize",
        ctx,
        List.of(
            new Setting("mean", mean, List.of(), location(ctx.MEAN().getSymbol())),
            new Setting("std", std, List.of(), location(ctx.STD().getSymbol()))));
  }

  @Override
  public Node visitDataset(NrParser.DatasetContext ctx) {
    return setting("dataset", ctx, word(ctx.name));
  }

  @Override
  public Node visitPrecision(NrParser.PrecisionContext ctx) {
    return setting("precision", ctx, word(ctx.kind));
  }

  @Override
  public Node visitRejuvenate(NrParser.RejuvenateContext ctx) {
    return group("rejuvenate", ctx, visit(ctx.nrItem(), Setting.class));
  }

  @Override
  public Node visitAdaptiveSparsity(NrParser.AdaptiveSparsityContext ctx) {
    return new Setting(
        "sparsity",
        List.of(new Setting.Value.Word("adaptive", location(ctx.ADAPTIVE().getSymbol()))),
        visit(ctx.adaptiveOption(), Setting.class),
        location(ctx));
  }

  @Override
  public Node visitAdaptiveStart(NrParser.AdaptiveStartContext ctx) {
    return setting("start", ctx, number(ctx.value));
  }

  @Override
  public Node visitAdaptiveStep(NrParser.AdaptiveStepContext ctx) {
    return setting("step", ctx, number(ctx.value));
  }

  @Override
  public Node visitAdaptiveThreshold(NrParser.AdaptiveThresholdContext ctx) {
    return setting("threshold", ctx, number(ctx.value));
  }

  @Override
  public Node visitFixedSparsity(NrParser.FixedSparsityContext ctx) {
    return setting("sparsity", ctx, number(ctx.value));
  }

  @Override
  public Node visitTarget(NrParser.TargetContext ctx) {
    return setting("target", ctx, number(ctx.value));
  }

  @Override
  public Node visitMeasure(NrParser.MeasureContext ctx) {
    return setting("measure", ctx, word(ctx.kind));
  }

  @Override
  public Node visitLiveThreshold(NrParser.LiveThresholdContext ctx) {
    return setting("live_threshold", ctx, number(ctx.value));
  }

  @Override
  public Node visitDeadThreshold(NrParser.DeadThresholdContext ctx) {
    return setting("dead_threshold", ctx, number(ctx.value));
  }

  @Override
  public Node visitExpand(NrParser.ExpandContext ctx) {
    return setting("expand", ctx, word(ctx.kind));
  }

  @Override
  public Node visitNewGamma(NrParser.NewGammaContext ctx) {
    return setting("new_gamma", ctx, number(ctx.value));
  }

  @Override
  public Node visitCross(NrParser.CrossContext ctx) {
    return setting("cross", ctx, word(ctx.kind));
  }

  @Override
  public Node visitBnRestore(NrParser.BnRestoreContext ctx) {
    List<Setting> children =
        ctx.kind == null
            ? List.of()
            : List.of(new Setting("mode", List.of(word(ctx.kind)), List.of(), location(ctx.MODE().getSymbol())));
    return new Setting("bn_restore", List.of(number(ctx.value)), children, location(ctx));
  }

  @Override
  public Node visitCompressOnly(NrParser.CompressOnlyContext ctx) {
    return new Setting("compress_only", List.of(), List.of(), location(ctx));
  }

  private Setting setting(String keyword, ParserRuleContext ctx, Setting.Value value) {
    return new Setting(keyword, List.of(value), List.of(), location(ctx));
  }

  private Setting group(String keyword, ParserRuleContext ctx, List<Setting> children) {
    return new Setting(keyword, List.of(), children, location(ctx));
  }

  private Setting.Value.Number number(NrParser.NumberContext ctx) {
    String text = ctx.getText();
    double value;
    try {
      value = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      value = Double.NaN; // unreachable for the lexer's FLOAT and INT, kept total for safety
    }
    return new Setting.Value.Number(value, text, location(ctx));
  }

  private Setting.Value.Number integer(Token token) {
    return new Setting.Value.Number(Double.parseDouble(token.getText()), token.getText(), location(token));
  }

  private Setting.Value.Word word(NrParser.IdentifierContext ctx) {
    return new Setting.Value.Word(ctx.getText(), location(ctx));
  }

  // ---- the four Trino helpers

  private <T> T visit(ParserRuleContext ctx, Class<T> type) {
    return type.cast(visit(ctx));
  }

  private <T> List<T> visit(List<? extends ParserRuleContext> contexts, Class<T> type) {
    List<T> out = new ArrayList<>(contexts.size());
    for (ParserRuleContext c : contexts) out.add(type.cast(visit(c)));
    return out;
  }

  private <T> T visitIfPresent(ParserRuleContext ctx, Class<T> type) {
    return ctx == null ? null : visit(ctx, type);
  }

  private Identifier identifier(NrParser.IdentifierContext ctx) {
    return new Identifier(ctx.getText(), location(ctx));
  }

  private SourceLocation location(ParserRuleContext ctx) {
    return location(ctx.getStart());
  }

  private SourceLocation location(Token token) {
    return new SourceLocation(sourceName, Math.max(1, token.getLine()), token.getCharPositionInLine() + 1);
  }
}
