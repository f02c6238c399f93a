package io.nrj.cli;

import static io.nrj.cli.TrainCommandTest.nrj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nrj.runtime.checkpoint.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nrj train} with a rejuvenate block: sparse phase, rejuvenation, reports, mixed phase, export. */
class NrTrainCommandTest {
  static final String SPEC =
      """
      network tiny {
        input 1x28x28
        classes 3
        conv 8 k5 stride 3 input
        maxpool 2
        conv 12 k3
        classifier
      }

      schedule quick_nr {
        epochs 2
        batch 16
        test_batch 25
        sgd lr 0.05 momentum 0.9 weight_decay 5e-4
        lr_steps 1 gamma 0.1
        rejuvenate {
          sparsity 0.05
          target 0.9
          measure params
        }
      }

      train tiny with quick_nr
      """;

  @TempDir static Path dir;
  static Path spec;
  static Path data;

  @BeforeAll
  static void setUp() throws IOException {
    spec = dir.resolve("tiny_nr.nr");
    Files.writeString(spec, SPEC);
    data = TinyMnist.write(dir.resolve("data"), 96, 50);
  }

  @Test
  void rejuvenatesWritesTheReportsAndExportsTheNewArchitecture() throws IOException {
    Path out = dir.resolve("run");
    TrainCommandTest.Run r = nrj("train", spec.toString(), "--data", data.toString(), "--device", "cpu", "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    // announced once: the report's table, which starts with the trigger and the expand rate
    assertEquals(1, r.out().lines().filter(l -> l.contains("expand rate")).count(), r.out());
    assertTrue(r.out().contains("rejuvenation after epoch "), r.out());
    assertTrue(Files.readString(out.resolve("rejuvenation.json")).contains("\"expand_rate\""));
    Path nr = out.resolve("network.nr");
    TrainCommandTest.Run check = nrj("check", nr.toString());
    assertEquals(0, check.code(), check.err() + check.out() + Files.readString(nr));
    Checkpoint c = Checkpoint.read(out.resolve("checkpoint.safetensors"));
    assertTrue(c.widths().get(1) != 12 || c.widths().get(0) != 8, c.widths().toString());

    Path exported = dir.resolve("exported.nr");
    r = nrj("export", out.resolve("checkpoint.safetensors").toString(), "--out", exported.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(Files.readString(nr), Files.readString(exported));

    r = nrj("eval", "--checkpoint", out.resolve("checkpoint.safetensors").toString(), "--data", data.toString(), "--device", "cpu");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("survivor top1 "), r.out());
    String metrics = Files.readString(out.resolve("metrics.csv"));
    assertTrue(metrics.contains(",sparse,") && metrics.contains(",mixed,"), metrics);
  }

  @Test
  void aFirstConvWrittenWithoutInputGoesThroughNrExactlyAsOneWrittenWithIt() throws IOException {
    // Spec §3: the conv that reads the image is an input layer, pruned and expanded on the output
    // side only. Written or inferred, the run must be the same: same rejuvenation, same weights,
    // and the rejuvenated architecture says 'input' either way.
    Path withoutSpec = dir.resolve("tiny_nr_no_input.nr");
    Files.writeString(withoutSpec, SPEC.replace("conv 8 k5 stride 3 input", "conv 8 k5 stride 3"));
    Path with = dir.resolve("with-input");
    Path without = dir.resolve("without-input");
    for (Path[] run : new Path[][] {{spec, with}, {withoutSpec, without}}) {
      TrainCommandTest.Run r = nrj("train", run[0].toString(), "--data", data.toString(), "--device", "cpu", "--interpreted",
          "--seed", "5", "--out", run[1].toString());
      assertEquals(0, r.code(), r.err());
      assertTrue(r.out().contains("rejuvenation after epoch "), r.out());
    }
    assertEquals(Files.readString(with.resolve("rejuvenation.json")), Files.readString(without.resolve("rejuvenation.json")));
    assertEquals(Files.readString(with.resolve("network.nr")), Files.readString(without.resolve("network.nr")));
    assertTrue(Files.readString(without.resolve("network.nr")).contains(" input"), Files.readString(without.resolve("network.nr")));
    Checkpoint a = Checkpoint.read(with.resolve("checkpoint.safetensors"));
    Checkpoint b = Checkpoint.read(without.resolve("checkpoint.safetensors"));
    assertEquals(a.widths(), b.widths());
    TrainCommandTest.assertSameTensors(a.model().asMap(), b.model().asMap());
    TrainCommandTest.assertSameTensors(a.momentum().asMap(), b.momentum().asMap());
  }
}
