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
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * Writes a trainer's {@code main}: the options of {@code nrj train} (DESIGN.md) parsed into the
 * runtime's {@code TrainJob}, the same run {@code nrj train} starts (device, data, NR control,
 * loop, checkpoints). Exit codes follow DESIGN.md: 0, 1 for a user error with a message, 2 for a
 * usage error; no stack traces for user errors.
 */
final class MainWriter {
  private static final String RT = "io.nrj.runtime";
  private static final ClassName TRAIN_JOB = ClassName.get(RT + ".train", "TrainJob");
  private static final ClassName JOB_OPTIONS = TRAIN_JOB.nestedClass("Options");
  private static final ClassName INPUT_FILE_EXCEPTION = ClassName.get(RT + ".io", "InputFileException");
  private static final ClassName CUDA_UNAVAILABLE = ClassName.get(RT + ".cuda", "CudaUnavailableException");
  private static final ClassName NR_MODULE = ClassName.get("io.nrj.dsl.ir", "NrModule");
  private static final ClassName SCHEDULE_IR = ClassName.get("io.nrj.dsl.ir", "ScheduleIr");

  private MainWriter() {}

  static FieldSpec usageField(TrainerDescriptor d) {
    return FieldSpec.builder(String.class, "USAGE", PRIVATE, STATIC, Modifier.FINAL)
        .initializer(
            "$S",
            "usage: java " + d.className() + " --data PATH|mnist [--schedule S]"
                + " [--device auto|cpu|cuda]\n    [--precision fp32|tf32] [--epochs E] [--batch B]"
                + " [--seed S] [--out DIR] [--resume CKPT]\n    [--cuda-graphs]\n")
        .build();
  }

  static FieldSpec optionsField() {
    return FieldSpec.builder(
            ParameterizedTypeName.get(Set.class, String.class), "OPTIONS", PRIVATE, STATIC, Modifier.FINAL)
        .initializer(
            "$T.of($S,$W$S,$W$S,$W$S,$W$S,$W$S,$W$S,$W$S,$W$S,$W$S)", Set.class, "--data", "--network",
            "--schedule", "--device", "--precision", "--epochs", "--batch", "--seed", "--out", "--resume")
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

  static MethodSpec trainMethod(TrainerDescriptor d) {
    ClassName self = ClassName.get(d.packageName(), d.className());
    CodeBlock defaultSchedule =
        d.schedule() == null ? CodeBlock.of("null") : CodeBlock.of("SCHEDULE");
    return methodBuilder("train")
        .addJavadoc(
            "Runs {@code main} without exiting: {@code --data PATH|mnist [--schedule S]\n"
                + "[--device auto|cpu|cuda] [--precision fp32|tf32] [--epochs E] [--batch B]\n"
                + "[--seed S] [--out DIR] [--resume CKPT] [--cuda-graphs]}. The schedule defaults to the spec's {@code train} binding,"
                + " epochs and\nbatch to the schedule's, the output folder to {@code runs/NETWORK}."
                + " Returns 0 on\nsuccess, 1 on a user error (the message goes to {@code err}), 2"
                + " on a usage error.\n")
        .addModifiers(PUBLIC, STATIC)
        .returns(int.class)
        .addParameter(String[].class, "args")
        .addParameter(PrintStream.class, "out")
        .addParameter(PrintStream.class, "err")
        .addStatement("$T<String, String> options = new $T<>()", Map.class, HashMap.class)
        .beginControlFlow("for (int i = 0; i < args.length; i++)")
        .beginControlFlow("if (args[i].equals($S))", "--cuda-graphs")
        .addStatement("options.put(args[i], $S)", "true")
        .addStatement("continue")
        .endControlFlow()
        .beginControlFlow("if (!OPTIONS.contains(args[i]) || i + 1 == args.length)")
        .addStatement("err.print(\"unknown or incomplete option '\" + args[i] + \"'\\n\" + USAGE)")
        .addStatement("return 2")
        .endControlFlow()
        .addStatement("options.put(args[i], args[++i])")
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
        .addStatement(
            "$T job = new $T(options.get($S),$Woptions.getOrDefault($S, $S),$Woptions.get($S),$Woptions.containsKey($S),"
                + "$WInteger.parseInt(options.getOrDefault($S, $S)),"
                + "$WInteger.parseInt(options.getOrDefault($S, $S)),"
                + "$Woptions.containsKey($S) ? Long.valueOf(options.get($S)) : null,"
                + "$Woptions.containsKey($S) ? $T.of(options.get($S)) : null,"
                + "$Woptions.containsKey($S) ? $T.of(options.get($S)) : null)",
            JOB_OPTIONS, JOB_OPTIONS, "--data", "--device", "auto", "--precision", "--cuda-graphs", "--epochs", "0", "--batch", "0",
            "--seed", "--seed", "--out", Path.class, "--out", "--resume", Path.class, "--resume")
        .addComment("the same run as nrj train: overrides, resume, data, device, loop and checkpoints")
        .addStatement(
            "$T.run(module, ir, s, SOURCE_FILE, job, $T::new, out)", TRAIN_JOB, self)
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
