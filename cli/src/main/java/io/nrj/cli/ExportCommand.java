package io.nrj.cli;

import io.nrj.dsl.NrPrinter;
import io.nrj.runtime.io.AtomicFiles;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code nrj export CKPT --out FILE.nr}: writes the checkpoint's architecture (the network at the
 * widths it was saved at, e.g. after rejuvenation) as a {@code .nr} file that {@code nrj check}
 * accepts.
 */
final class ExportCommand {
  static final String USAGE = "export CKPT --out FILE.nr [--name NAME]";

  private ExportCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err) {
    return CommandSupport.guarded("export", USAGE, err, () -> export(args, out));
  }

  private static int export(String[] args, PrintStream out) throws Exception {
    Flags f = Flags.parse("export", args, Set.of("--out", "--name"), Set.of());
    if (f.positional().size() != 1) throw new Flags.UsageException("expected one checkpoint, got " + f.positional().size());
    Path outFile = Path.of(f.require("--out"));
    CheckpointModel m = CheckpointModel.read(Path.of(f.positional().getFirst()));
    String name = f.get("--name", m.ir().name());
    AtomicFiles.writeString(outFile, NrPrinter.print(m.ir(), m.widths(), name));
    out.println("wrote " + outFile + ": network " + name + " at widths " + m.widths());
    return 0;
  }
}
