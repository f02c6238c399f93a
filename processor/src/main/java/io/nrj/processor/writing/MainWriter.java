package io.nrj.processor.writing;

import static com.palantir.javapoet.MethodSpec.methodBuilder;
import static javax.lang.model.element.Modifier.PRIVATE;
import static javax.lang.model.element.Modifier.PUBLIC;
import static javax.lang.model.element.Modifier.STATIC;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import io.nrj.processor.descriptor.TrainerDescriptor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * Writes a trainer's {@code main}: the options of {@code nrj train} (DESIGN.md) parsed into the
 * runtime's pieces (device, data, NR control, checkpoints) and handed to its {@code TrainingLoop},
 * which does the work. Exit codes follow DESIGN.md: 0, 1 for a user error with a message, 2 for a
 * usage error; no stack traces for user errors.
 */
final class MainWriter {
  private static final String RT = "io.nrj.runtime";
  private static final ClassName DEVICES = ClassName.get(RT, "Devices");
  private static final ClassName DATA_SET = ClassName.get(RT + ".data", "DataSet");
  private static final ClassName DATA_SETS = ClassName.get(RT + ".data", "DataSets");
  private static final ClassName LOADER = ClassName.get(RT + ".train", "LoaderBatchSource");
  private static final ClassName PROGRESS = ClassName.get(RT + ".train", "Progress");
  private static final ClassName LOOP = ClassName.get(RT + ".train", "TrainingLoop");
  private static final ClassName TRAIN_STATE = ClassName.get(RT + ".train", "TrainState");
  private static final ClassName ENGINE_CONTROL = ClassName.get(RT + ".train", "EngineControl");
  private static final ClassName NR_ENGINE = ClassName.get(RT + ".nr", "NrEngine");
  private static final ClassName CHECKPOINT = ClassName.get(RT + ".checkpoint", "Checkpoint");
  private static final ClassName INPUT_FILE_EXCEPTION = ClassName.get(RT + ".io", "InputFileException");
  private static final ClassName CUDA_UNAVAILABLE = ClassName.get(RT + ".cuda", "CudaUnavailableException");
  private static final ClassName NR_PRINTER = ClassName.get("io.nrj.dsl", "NrPrinter");
  private static final ClassName NR_MODULE = ClassName.get("io.nrj.dsl.ir", "NrModule");
  private static final ClassName SCHEDULE_IR = ClassName.get("io.nrj.dsl.ir", "ScheduleIr");

  private MainWriter() {}

  static FieldSpec usageField(TrainerDescriptor d) {
    return FieldSpec.builder(String.class, "USAGE", PRIVATE, STATIC, Modifier.FINAL)
        .initializer(
            "$S",
            "usage: java " + d.className() + " --data PATH|mnist [--schedule S]"
                + " [--device auto|cpu|cuda]\n    [--epochs E] [--batch B] [--seed S] [--out DIR]"
                + " [--resume CKPT]\n")
        .build();
  }

  static FieldSpec optionsField() {
    return FieldSpec.builder(
            ParameterizedTypeName.get(Set.class, String.class), "OPTIONS", PRIVATE, STATIC, Modifier.FINAL)
        .initializer(
            "$T.of($S,$W$S,$W$S,$W$S,$W$S,$W$S,$W$S,$W$S,$W$S)", Set.class, "--data", "--network", "--schedule",
            "--device", "--epochs", "--batch", "--seed", "--out", "--resume")
        .build();
  }

  static MethodSpec mainMethod(TrainerDescriptor d) {
    return methodBuilder("main")
        .addJavadoc(
            "Trains {@code $L} with Neural Rejuvenation from the command line, with the options of"
                + " {@code nrj\ntrain}: see {@link #train}.\n",
            d.network())
        .addModifiers(PUBLIC, STATIC)
        .addParameter(String[].class, "args")
        .addStatement("$T.exit(train(args, $T.out, $T.err))", System.class, System.class, System.class)
        .build();
  }

  /** The checkpoint of a loop state, with the metadata {@code nrj train --resume} reads back. */
  static MethodSpec checkpointMethod() {
    return methodBuilder("checkpoint")
        .addModifiers(PRIVATE, STATIC)
        .returns(CHECKPOINT)
        .addParameter(SCHEDULE_IR, "schedule")
        .addParameter(long.class, "seed")
        .addParameter(NR_ENGINE, "engine")
        .addParameter(TRAIN_STATE, "state")
        .addStatement(
            "$T<String, String> extra = new $T<>()",
            ClassName.get("java.util", "SequencedMap"), ClassName.get("java.util", "LinkedHashMap"))
        .addStatement("extra.put($S, SOURCE_FILE)", "nr_file")
        .addStatement("extra.put($S, Double.toString(state.bestTop1()))", "best_top1")
        .addStatement("extra.put($S, Integer.toString(schedule.epochs()))", "epochs")
        .addStatement(
            "return new $T(SOURCE, NETWORK, schedule.name(), state.widths(), state.nextEpoch(), seed,$W"
                + "new $T.OptimizerState(engine.learningRate(state.nextEpoch()),$W"
                + "schedule.sgd().momentum(), schedule.sgd().weightDecay(), state.steps()),$W"
                + "state.nrState(), extra, state.params(), state.momentum())",
            CHECKPOINT, CHECKPOINT)
        .build();
  }

  static MethodSpec trainMethod(TrainerDescriptor d) {
    ClassName self = ClassName.get(d.packageName(), d.className());
    CodeBlock defaultSchedule =
        d.schedule() == null ? CodeBlock.of("null") : CodeBlock.of("SCHEDULE");
    return methodBuilder("train")
        .addJavadoc(
            "Runs {@code main} without exiting: {@code --data PATH|mnist [--schedule S]\n"
                + "[--device auto|cpu|cuda] [--epochs E] [--batch B] [--seed S] [--out DIR]\n"
                + "[--resume CKPT]}. The schedule defaults to the spec's {@code train} binding,"
                + " epochs and\nbatch to the schedule's, the output folder to {@code runs/NETWORK}."
                + " Returns 0 on\nsuccess, 1 on a user error (the message goes to {@code err}), 2"
                + " on a usage error.\n")
        .addModifiers(PUBLIC, STATIC)
        .returns(int.class)
        .addParameter(String[].class, "args")
        .addParameter(PrintStream.class, "out")
        .addParameter(PrintStream.class, "err")
        .addStatement("$T<String, String> options = new $T<>()", Map.class, HashMap.class)
        .beginControlFlow("for (int i = 0; i < args.length; i += 2)")
        .beginControlFlow("if (!OPTIONS.contains(args[i]) || i + 1 == args.length)")
        .addStatement("err.print(\"unknown or incomplete option '\" + args[i] + \"'\\n\" + USAGE)")
        .addStatement("return 2")
        .endControlFlow()
        .addStatement("options.put(args[i], args[i + 1])")
        .endControlFlow()
        .addStatement("String scheduleName = options.getOrDefault($S, $L)", "--schedule", defaultSchedule)
        .beginControlFlow(
            "if (!options.containsKey($S) || scheduleName == null$W|| !options.getOrDefault($S, NETWORK).equals(NETWORK))",
            "--data", "--network")
        .addStatement(
            "err.print(\"this trainer trains network \" + NETWORK + \" and needs --data\""
                + "$W+ (scheduleName == null ? \" and --schedule\" : \"\") + \"\\n\" + USAGE)")
        .addStatement("return 2")
        .endControlFlow()
        .beginControlFlow("try")
        .addStatement("$T module = $T.compile(SOURCE_FILE, SOURCE).module()", NR_MODULE, RuntimeNames.NR_COMPILER)
        .addStatement("$T ir = module.network(NETWORK).orElseThrow()", RuntimeNames.NETWORK_IR)
        .addStatement(
            "$T s = module.schedule(scheduleName).orElseThrow(() ->$Wnew $T(SOURCE_FILE + \" has no"
                + " schedule '\" + scheduleName + \"'\"))",
            SCHEDULE_IR, IllegalArgumentException.class)
        .addStatement("int epochs = Integer.parseInt(options.getOrDefault($S, $T.valueOf(s.epochs())))", "--epochs", String.class)
        .addStatement("int batch = Integer.parseInt(options.getOrDefault($S, $T.valueOf(s.batch())))", "--batch", String.class)
        .addStatement("long seed = Long.parseLong(options.getOrDefault($S, $S))", "--seed", "1")
        .addStatement("$T outDir = $T.of(options.getOrDefault($S, $S + NETWORK))", Path.class, Path.class, "--out", "runs/")
        .addStatement(
            "$T schedule = new $T(s.name(),$Wepochs, batch, s.testBatch(), s.sgd(), s.lrSteps(),"
                + "$Ws.gamma(), s.augment(), s.normalize(), s.dataset(), s.precision(), s.nr(), s.location())",
            SCHEDULE_IR, SCHEDULE_IR)
        .addComment("resume: the checkpoint's weights, optimiser and NR state (spec §2.2 shifts included)")
        .addStatement(
            "$T from = options.containsKey($S)$W? $T.read($T.of(options.get($S)))$W: null",
            CHECKPOINT, "--resume", CHECKPOINT, Path.class, "--resume")
        .beginControlFlow("if (from != null && !from.network().equals(NETWORK))")
        .addStatement(
            "throw new $T(options.get($S)$W+ \": checkpoint is for network '\" + from.network()$W+ \"', not '\" + NETWORK + \"'\")",
            IllegalArgumentException.class, "--resume")
        .endControlFlow()
        .addStatement(
            "$T engine = from == null$W? new $T(ir, schedule)$W: $T.restore(ir, schedule, from.nrState())",
            NR_ENGINE, NR_ENGINE, NR_ENGINE)
        .addStatement(
            "$T resume = from == null ? null$W: new $T(from.epoch(), from.widths(), engine.layout(),$Wfrom.model(),"
                + " from.momentum(),$Wfrom.optimizer().step(), from.nrState(),"
                + "$WDouble.parseDouble(from.extra().getOrDefault($S, $S)))",
            TRAIN_STATE, TRAIN_STATE, "best_top1", "NaN")
        .addStatement("$T data = $T.open(options.get($S))", DATA_SET, DATA_SETS, "--data")
        .addStatement("$T.createDirectories(outDir)", Files.class)
        .addCode(
            CodeBlock.builder()
                .beginControlFlow(
                    "try ($T backend =$W$T.open(options.getOrDefault($S, $S), schedule.precision());$W"
                        + "$T net = new $T(backend, ir, seed);$W"
                        + "$T trainSet =$Wnew $T(data.train(), true, schedule.augment(), schedule.normalize());$W"
                        + "$T testSet =$Wnew $T(data.test(), false, schedule.augment(), schedule.normalize()))",
                    RuntimeNames.BACKEND, DEVICES, "--device", "auto", self, self, LOADER, LOADER, LOADER,
                    LOADER)
                .addStatement(
                    "$T.Options loop =$Wnew $T.Options(batch, schedule.testBatch(), seed, outDir,$W"
                        + "$T.stdoutIsTerminal(), w -> $T.print(ir, w, NETWORK),$W"
                        + "(state, file) -> checkpoint(schedule, seed, engine, state).write(file))",
                    LOOP, LOOP, PROGRESS, NR_PRINTER)
                .addStatement(
                    "new $T(net, new $T(engine), schedule.sgd(), trainSet, testSet, loop, out)$W.run(resume)",
                    LOOP, ENGINE_CONTROL)
                .endControlFlow()
                .build())
        .addStatement("return 0")
        .nextControlFlow("catch ($T e)", NumberFormatException.class)
        .addStatement("err.print(\"not a number: \" + e.getMessage() + \"\\n\" + USAGE)")
        .addStatement("return 2")
        .nextControlFlow(
            "catch ($T | $T$W| $T | $T e)",
            INPUT_FILE_EXCEPTION, CUDA_UNAVAILABLE, IllegalArgumentException.class, IOException.class)
        .addStatement("err.println(NETWORK + \": \" + e.getMessage())")
        .addStatement("return 1")
        .endControlFlow()
        .build();
  }
}
