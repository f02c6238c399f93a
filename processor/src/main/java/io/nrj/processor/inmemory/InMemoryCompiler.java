package io.nrj.processor.inmemory;

import com.palantir.javapoet.JavaFile;
import io.nrj.dsl.ir.NrModule;
import io.nrj.processor.descriptor.TrainerDescriptor;
import io.nrj.processor.descriptor.TrainerDescriptorFactory;
import io.nrj.processor.writing.TrainerWriter;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * The in-memory path behind {@code nrj train FILE.nr}: the same descriptor factory and writer as
 * the annotation processor, then {@code javax.tools} compiles the trainer into memory and a fresh
 * class loader defines it. Nothing is written to disk.
 *
 * <p>The compile class path is the JVM's own plus the code sources of the runtime, the DSL and picocli as
 * the caller's class loader sees them, so it also works under {@code java -jar}, where the
 * manifest's {@code Class-Path} never shows up in {@code java.class.path}.
 */
public final class InMemoryCompiler {
  /** Package of trainers compiled at run time. */
  public static final String PACKAGE = "io.nrj.generated";

  private InMemoryCompiler() {}

  /** A trainer's generated source and its class, loaded in a class loader of its own. */
  public record CompiledTrainer(String qualifiedName, String source, Class<?> trainerClass) {}

  /**
   * Generates and compiles the trainer of {@code network} in {@code module}, bound to {@code
   * schedule} (null: the network's {@code train} binding, if any). The class has the public
   * constructors {@code (Backend, long seed)} and {@code (Backend, NetworkIr, long
   * seed)}; it is a {@code io.nrj.runtime.model.TrainableNetwork}.
   *
   * @throws IllegalArgumentException when the module has no such network or schedule
   * @throws TrainerCompilationException when javac rejects the generated source (a generator bug)
   */
  public static CompiledTrainer compileTrainer(
      NrModule module, String network, String schedule, ClassLoader parent) {
    String source = generateSource(module, network, schedule);
    String name = PACKAGE + "." + TrainerDescriptorFactory.className(network);
    return new CompiledTrainer(name, source, compile(name, source, parent));
  }

  /** The trainer's source, exactly as the annotation processor would write it. */
  public static String generateSource(NrModule module, String network, String schedule) {
    var net =
        module
            .network(network)
            .orElseThrow(
                () -> new IllegalArgumentException(
                    module.file() + " has no network '" + network + "'; it defines "
                        + module.networks().stream().map(n -> n.name()).toList()));
    String bound = schedule;
    if (bound == null) {
      bound =
          module.trains().stream()
              .filter(t -> t.network().equals(network))
              .map(t -> t.schedule())
              .findFirst()
              .orElse(null);
    }
    var sched = bound == null ? null : module.schedule(bound).orElse(null);
    if (bound != null && sched == null) {
      throw new IllegalArgumentException(module.file() + " has no schedule '" + bound + "'");
    }
    TrainerDescriptor d = TrainerDescriptorFactory.create(PACKAGE, module, net, sched);
    JavaFile file = TrainerWriter.write(d, List.of());
    return file.toString();
  }

  private static Class<?> compile(String name, String source, ClassLoader parent) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new TrainerCompilationException(
          "no Java compiler in this JVM (a JRE?); run nrj with a full JDK 25");
    }
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    Map<String, ByteArrayOutputStream> classes = new HashMap<>();
    try (StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, null, null);
        JavaFileManager files = new MemoryFileManager(standard, classes)) {
      List<String> options =
          List.of("--release", "25", "-proc:none", "-classpath", classPath(parent));
      boolean ok =
          javac
              .getTask(null, files, diagnostics, options, null, List.of(new Source(name, source)))
              .call();
      if (!ok) {
        throw new TrainerCompilationException(
            "the generated trainer " + name + " does not compile:\n" + diagnostics.getDiagnostics());
      }
    } catch (java.io.IOException e) {
      throw new TrainerCompilationException("cannot compile " + name + ": " + e.getMessage());
    }
    try {
      return new MemoryClassLoader(classes, parent).loadClass(name);
    } catch (ClassNotFoundException e) {
      throw new TrainerCompilationException("compiled " + name + " but cannot load it: " + e);
    }
  }

  private static String classPath(ClassLoader parent) {
    Set<String> entries = new LinkedHashSet<>();
    // the trainer's main calls io.nrj.runtime.launch.TrainerMain, whose options are picocli's
    for (String type : List.of("io.nrj.runtime.Backend", "io.nrj.dsl.ir.Widths", "picocli.CommandLine")) {
      try {
        CodeSource cs = Class.forName(type, false, parent).getProtectionDomain().getCodeSource();
        if (cs != null && cs.getLocation() != null) {
          entries.add(Path.of(cs.getLocation().toURI()).toString());
        }
      } catch (ClassNotFoundException | URISyntaxException | IllegalArgumentException e) {
        // fall back on java.class.path below
      }
    }
    String jvm = System.getProperty("java.class.path", "");
    if (!jvm.isEmpty()) entries.addAll(List.of(jvm.split(File.pathSeparator)));
    return String.join(File.pathSeparator, entries);
  }

  /** javac found an error in generated code: a bug in the generator, not in the user's spec. */
  public static final class TrainerCompilationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TrainerCompilationException(String message) {
      super(message);
    }
  }

  private static final class Source extends SimpleJavaFileObject {
    private final String text;

    Source(String name, String text) {
      super(URI.create("string:///" + name.replace('.', '/') + Kind.SOURCE.extension), Kind.SOURCE);
      this.text = text;
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
      return text;
    }
  }

  private static final class MemoryFileManager extends ForwardingJavaFileManager<JavaFileManager> {
    private final Map<String, ByteArrayOutputStream> classes;

    MemoryFileManager(JavaFileManager delegate, Map<String, ByteArrayOutputStream> classes) {
      super(delegate);
      this.classes = classes;
    }

    @Override
    public JavaFileObject getJavaFileForOutput(
        Location location, String className, JavaFileObject.Kind kind, FileObject sibling) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      classes.put(className, bytes);
      return new SimpleJavaFileObject(
          URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
        @Override
        public OutputStream openOutputStream() {
          return bytes;
        }
      };
    }
  }

  private static final class MemoryClassLoader extends ClassLoader {
    private final Map<String, ByteArrayOutputStream> classes;

    MemoryClassLoader(Map<String, ByteArrayOutputStream> classes, ClassLoader parent) {
      super(parent);
      this.classes = new HashMap<>(classes);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      ByteArrayOutputStream bytes = classes.get(name);
      if (bytes == null) throw new ClassNotFoundException(name);
      byte[] b = bytes.toByteArray();
      return defineClass(name, b, 0, b.length);
    }
  }
}
