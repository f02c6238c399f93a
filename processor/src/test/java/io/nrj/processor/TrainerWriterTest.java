package io.nrj.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import com.palantir.javapoet.JavaFile;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.processor.descriptor.TrainerDescriptor;
import io.nrj.processor.descriptor.TrainerDescriptorFactory;
import io.nrj.processor.writing.TrainerWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The writer's output for hand-built IR compiles cleanly under {@code -Xlint:all -Werror}. */
class TrainerWriterTest {
  private static JavaFile write(NetworkIr network, boolean withSchedule) {
    var schedule = withSchedule ? IrFixtures.schedule("mnist") : null;
    TrainerDescriptor d =
        TrainerDescriptorFactory.create(
            "io.nrj.examples", IrFixtures.module(network, schedule), network, schedule);
    return TrainerWriter.write(d, List.of());
  }

  @Test
  void generatedTrainersCompileWithoutWarnings() {
    for (JavaFile file : List.of(write(IrFixtures.lenet5(), true), write(IrFixtures.tinyResnet(), false))) {
      Compilation c =
          javac()
              .withOptions("-Xlint:all", "-Werror", "--release", "25")
              .compile(JavaFileObjects.forSourceString(
                  file.packageName() + "." + file.typeSpec().name(), file.toString()));
      assertThat(c).succeededWithoutWarnings();
    }
  }
}
