package io.nrj.cli;

import io.nrj.dsl.NrPrinter;
import io.nrj.runtime.io.AtomicFiles;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code nrj export CKPT --out FILE.nr}: writes the checkpoint's architecture (the network at the
 * widths it was saved at, e.g. after rejuvenation) as a {@code .nr} file that {@code nrj check}
 * accepts.
 */
@Command(name = "export", description = "Write a checkpoint's architecture, at the widths it was saved at, as a .nr file.")
final class ExportCommand implements Callable<Integer> {
  @ParentCommand private Main nrj;

  @Parameters(paramLabel = "CKPT", description = "a checkpoint nrj train wrote")
  private Path checkpoint;

  @Option(names = "--out", required = true, paramLabel = "FILE.nr", description = "the .nr file to write")
  private Path outFile;

  @Option(names = "--name", paramLabel = "NAME", description = "the network's name in the file (default: the checkpoint's)")
  private String name;

  @Override
  public Integer call() throws Exception {
    CheckpointModel m = CheckpointModel.read(checkpoint);
    String network = name != null ? name : m.ir().name();
    AtomicFiles.writeString(outFile, NrPrinter.print(m.ir(), m.widths(), network));
    nrj.out().println("wrote " + outFile + ": network " + network + " at widths " + m.widths());
    return 0;
  }
}
