package io.nrj.processor.writing;

import static com.palantir.javapoet.MethodSpec.methodBuilder;
import static javax.lang.model.element.Modifier.PUBLIC;
import static javax.lang.model.element.Modifier.STATIC;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import io.nrj.processor.descriptor.TrainerDescriptor;
import java.io.PrintStream;

/**
 * Writes a trainer's {@code main}: one call into the runtime's {@code TrainerMain}, which owns the
 * options of {@code nrj train} (one picocli definition, {@code --help} included) and starts the same
 * run {@code nrj train} starts. The generated class only says which trainer it is; it parses
 * nothing itself.
 */
final class MainWriter {
  private static final ClassName TRAINER_MAIN = ClassName.get("io.nrj.runtime.launch", "TrainerMain");
  private static final ClassName TRAINER = TRAINER_MAIN.nestedClass("Trainer");

  private MainWriter() {}

  static MethodSpec mainMethod(TrainerDescriptor d) {
    return methodBuilder("main")
        .addJavadoc(
            "Trains {@code $L} from the command line with the options of {@code nrj train}"
                + " ({@code --help}\nlists them); see {@link #train}.\n",
            d.network())
        .addModifiers(PUBLIC, STATIC)
        .addParameter(String[].class, "args")
        .addStatement("$T.exit(train(args, $T.out, $T.err))", System.class, System.class, System.class)
        .build();
  }

  static MethodSpec trainMethod(TrainerDescriptor d) {
    ClassName self = ClassName.get(d.packageName(), d.className());
    CodeBlock schedule = d.schedule() == null ? CodeBlock.of("null") : CodeBlock.of("SCHEDULE");
    return methodBuilder("train")
        .addJavadoc(
            "Runs {@code main} without exiting: {@link $T} parses the options and runs the job. Returns 0\n"
                + "on success, 1 on a user error (the message goes to {@code err}), 2 on a usage error.\n",
            TRAINER_MAIN)
        .addModifiers(PUBLIC, STATIC)
        .returns(int.class)
        .addParameter(String[].class, "args")
        .addParameter(PrintStream.class, "out")
        .addParameter(PrintStream.class, "err")
        .addStatement(
            "$T trainer =$Wnew $T($S, NETWORK, SOURCE_FILE, SOURCE, $L, $T::new)", TRAINER, TRAINER, d.className(), schedule,
            self)
        .addStatement("return $T.run(trainer, args, out, err)", TRAINER_MAIN)
        .build();
  }
}
