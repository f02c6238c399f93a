package io.nrj.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;

/**
 * Writes the bash/zsh completion script of {@code nrj} (commands, options, the values of {@code
 * --device} and {@code --precision}) from the same picocli definitions the command runs with. The
 * build runs it ({@code cli/pom.xml}, phase process-classes) into {@code cli/target/nrj_completion};
 * {@code source} that file to use it.
 */
public final class CompletionScript {
  private CompletionScript() {}

  /** Argument: the file to write. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) throw new IllegalArgumentException("usage: CompletionScript FILE");
    PrintStream sink = new PrintStream(PrintStream.nullOutputStream());
    String script = AutoComplete.bash("nrj", Main.commandLine(sink, sink));
    Path file = Path.of(args[0]);
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, script);
  }
}
