package io.nrj.runtime.cuda;

import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.RetentionPolicy.RUNTIME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nrj.runtime.PoolGeom;
import io.nrj.runtime.Tensor;
import io.nrj.runtime.cpu.CpuBackend;
import java.io.IOException;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Every kernel of {@code kernels.cu} against the CPU backend, the kernels run on the <b>host</b> by
 * {@link HostKernels} (a C++ compile of the unmodified source, threads run one after another):
 * a host emulation, not a GPU run. Each test performs one {@link io.nrj.runtime.Backend} operation
 * twice on the same random inputs: on {@link CpuBackend}, and as {@link CudaBackend} does it,
 * launching the same kernels with the same arguments through {@link Kernels#pack} with host
 * memory where device pointers go. Outputs start from random values, so a forward that does not
 * overwrite or a backward that overwrites instead of accumulating fails.
 *
 * <p>Tolerance: 1e-5 relative plus 1e-6 absolute (float sums in another order, expf vs the CPU's
 * double exp). Launches use both a large grid and {@link #TWO} blocks, so each thread of the
 * grid-stride loops also handles several elements.
 *
 * <p>A new kernel needs a test here annotated {@link Compares} with its name; {@link
 * #everyKernelInTheSourceHasATrampolineAndAComparison} fails until it has one.
 */
class KernelHostEmulationTest {
  private static final double RELATIVE = 1e-5;
  private static final double ABSOLUTE = 1e-6;
  /** The grid limit Kernels uses on a 132-SM H100 (32 blocks per SM): large enough for one pass. */
  private static final int MANY = 132 * 32;
  /** Two blocks of 256 threads: with more than 512 items, every thread loops. */
  private static final int TWO = 2;
  /** (elements, maxBlocks) for the element-wise kernels: one item, a partial second block, loops. */
  private static final int[][] ELEMENTWISE = {{1, MANY}, {300, MANY}, {2049, TWO}};

  /** The kernels a test launches; it must launch exactly these (checked after each test). */
  @Retention(RUNTIME)
  @Target(METHOD)
  @interface Compares {
    String[] value();
  }

  private static CpuBackend cpu;
  private static HostKernels emu;
  private static AssertionError compileFailure;

  private final Random random = new Random(20261127);
  private final List<Tensor> tensors = new ArrayList<>();
  private Arena arena;

  @BeforeAll
  static void startCpu() {
    cpu = new CpuBackend();
  }

  @AfterAll
  static void closeAll() {
    cpu.close();
    if (emu != null) {
      emu.close();
      emu = null;
    }
  }

  /** The compiled emulation, built on first use; skips the test when there is no C++ compiler. */
  private static synchronized HostKernels emulator() {
    Optional<Path> compiler = HostKernels.compiler();
    assumeTrue(compiler.isPresent(),
        "no C++ compiler (g++, c++ or clang++) on PATH: the host emulation of kernels.cu is skipped");
    if (compileFailure != null) {
      throw compileFailure;
    }
    if (emu == null) {
      try {
        emu = HostKernels.compile(compiler.get());
      } catch (AssertionError e) {
        compileFailure = e;
        throw e;
      } catch (IOException | InterruptedException e) {
        compileFailure = new AssertionError("could not run " + compiler.get(), e);
        throw compileFailure;
      }
    }
    return emu;
  }

  @BeforeEach
  void open(TestInfo test) {
    arena = Arena.ofConfined();
    if (compares(test).isPresent()) {
      emulator().forgetLaunches();
    }
  }

  @AfterEach
  void checkLaunchesAndClose(TestInfo test) {
    arena.close();
    tensors.forEach(Tensor::close);
    Optional<Compares> compares = compares(test);
    if (compares.isPresent() && emu != null) {
      assertEquals(new TreeSet<>(List.of(compares.get().value())), new TreeSet<>(emu.launched()),
          "kernels declared in @Compares vs kernels the test launched");
    }
  }

  private static Optional<Compares> compares(TestInfo test) {
    return test.getTestMethod().map(m -> m.getAnnotation(Compares.class));
  }

  // ---- coverage ----

  @Test
  void everyKernelInTheSourceHasATrampolineAndAComparison() {
    Set<String> kernels = Kernels.SIGNATURES.all().keySet();
    String unit = HostKernels.translationUnit(Kernels.SIGNATURES);
    for (String k : kernels) {
      assertTrue(unit.contains("extern \"C\" void emu_" + k + "(unsigned grid, unsigned block, void** args)"),
          "no trampoline for " + k);
    }
    var compared = new TreeSet<String>();
    for (Method m : KernelHostEmulationTest.class.getDeclaredMethods()) {
      Compares c = m.getAnnotation(Compares.class);
      if (c != null) {
        assertTrue(m.isAnnotationPresent(Test.class), m.getName() + " has @Compares but is no @Test");
        compared.addAll(List.of(c.value()));
      }
    }
    var missing = new TreeSet<>(kernels);
    missing.removeAll(compared);
    assertEquals(Set.of(), missing, "kernels in " + Kernels.SOURCE
        + " that no @Compares test checks against the CPU backend: add one to this class");
    var unknown = new TreeSet<>(compared);
    unknown.removeAll(kernels);
    assertEquals(Set.of(), unknown, "@Compares names kernels that are not in " + Kernels.SOURCE);
  }

  @Test
  void trampolinesRunEveryThreadOfTheGridAndUnpackEachArgumentWithItsCType() {
    String unit = HostKernels.translationUnit(Kernels.SIGNATURES);
    assertTrue(unit.contains("""
        extern "C" void emu_nrj_softmax_cross_entropy(unsigned grid, unsigned block, void** args) {
          gridDim = {grid, 1, 1};
          blockDim = {block, 1, 1};
          for (unsigned b = 0; b < grid; b++) {
            for (unsigned t = 0; t < block; t++) {
              blockIdx = {b, 0, 0};
              threadIdx = {t, 0, 0};
              nrj_softmax_cross_entropy(*(const float**) args[0], *(const int**) args[1], \
        *(float**) args[2], *(float**) args[3], *(int*) args[4], *(int*) args[5]);
            }
          }
        }
        """), unit);
  }

  @Test
  void compiledLibraryExportsATrampolinePerKernel() {
    HostKernels host = emulator();
    for (String k : Kernels.SIGNATURES.all().keySet()) {
      assertTrue(host.hasTrampoline(k), "emu_" + k + " missing from the compiled library");
    }
  }

  // ---- element-wise ----

  @Test
  @Compares("nrj_fill")
  void fillOverwritesEveryElement() {
    for (int[] shape : ELEMENTWISE) {
      Twin t = twin(uniform(shape[0], -1, 1));
      cpu.fill(t.cpu, 0.75f);
      emu.launch("nrj_fill", t.numel(), shape[1], t.host, 0.75f, t.numel());
      assertMatch("fill " + shape[0], t);
    }
  }

  @Test
  @Compares("nrj_add")
  void addOverwritesTheSum() {
    for (int[] shape : ELEMENTWISE) {
      int n = shape[0];
      Twin a = twin(uniform(n, -2, 2)), b = twin(uniform(n, -2, 2)), y = twin(uniform(n, -9, 9));
      cpu.add(a.cpu, b.cpu, y.cpu);
      emu.launch("nrj_add", y.numel(), shape[1], a.host, b.host, y.host, y.numel());
      assertMatch("add " + n, y);
    }
  }

  @Test
  @Compares("nrj_axpy")
  void axpyAccumulatesIntoTheDestination() {
    for (int[] shape : ELEMENTWISE) {
      int n = shape[0];
      Twin src = twin(uniform(n, -2, 2)), dst = twin(uniform(n, -2, 2));
      cpu.axpy(-0.3f, src.cpu, dst.cpu);
      emu.launch("nrj_axpy", dst.numel(), shape[1], -0.3f, src.host, dst.host, dst.numel());
      assertMatch("axpy " + n, dst);
    }
  }

  @Test
  @Compares("nrj_multiply")
  void multiplyMasksInPlace() {
    for (int[] shape : ELEMENTWISE) {
      int n = shape[0];
      float[] mask = uniform(n, -2, 2);
      for (int i = 0; i < n; i += 3) {
        mask[i] = i % 2 == 0 ? 0f : 1f; // the masks of removed cross blocks are 0/1
      }
      Twin t = twin(uniform(n, -2, 2)), m = twin(mask);
      cpu.multiply(t.cpu, m.cpu);
      emu.launch("nrj_multiply", t.numel(), shape[1], t.host, m.host, t.numel());
      assertMatch("multiply " + n, t);
    }
  }

  @Test
  @Compares("nrj_gate_forward")
  void gateForwardOverwritesAPlusTwoSigmoidATimesC() {
    for (int[] shape : ELEMENTWISE) {
      int n = shape[0];
      Twin a = twin(uniform(n, -8, 8)), c = twin(uniform(n, -2, 2)), y = twin(uniform(n, -9, 9));
      cpu.gateForward(a.cpu, c.cpu, y.cpu);
      emu.launch("nrj_gate_forward", y.numel(), shape[1], a.host, c.host, y.host, y.numel());
      assertMatch("gate forward " + n, y);
    }
  }

  @Test
  @Compares("nrj_gate_backward")
  void gateBackwardAccumulatesBothGradients() {
    for (int[] shape : ELEMENTWISE) {
      int n = shape[0];
      Twin a = twin(uniform(n, -8, 8)), c = twin(uniform(n, -2, 2)), dy = twin(uniform(n, -1, 1));
      Twin da = twin(uniform(n, -1, 1)), dc = twin(uniform(n, -1, 1));
      cpu.gateBackward(a.cpu, c.cpu, dy.cpu, da.cpu, dc.cpu);
      emu.launch("nrj_gate_backward", a.numel(), shape[1], a.host, c.host, dy.host, da.host, dc.host, a.numel());
      assertMatch("gate backward da " + n, da);
      assertMatch("gate backward dc " + n, dc);
    }
  }

  // ---- optimiser ----

  @Test
  @Compares("nrj_l1_subgradient")
  void l1SubgradientAddsLambdaTimesSignWithSignOfZeroZero() {
    for (int[] shape : ELEMENTWISE) {
      int n = shape[0];
      float[] params = uniform(n, -1, 1);
      for (int i = 0; i < n; i += 4) {
        params[i] = i % 8 == 0 ? 0f : -0f; // pruned BN scales are exactly zero
      }
      Twin p = twin(params), g = twin(uniform(n, -1, 1));
      cpu.l1Subgradient(p.cpu, g.cpu, 1e-4f);
      emu.launch("nrj_l1_subgradient", p.numel(), shape[1], p.host, g.host, 1e-4f, p.numel());
      assertMatch("l1 subgradient " + n, g);
      assertMatch("l1 subgradient leaves the parameters " + n, p);
    }
  }

  @Test
  @Compares("nrj_sgd_step")
  void sgdStepMatchesOnTheFirstAndALaterStep() {
    for (int[] shape : ELEMENTWISE) {
      int n = shape[0];
      // the momentum buffer starts with garbage: the first step must overwrite it
      Twin p = twin(uniform(n, -1, 1)), buf = twin(uniform(n, -5, 5));
      for (boolean first : new boolean[] {true, false}) {
        Twin g = twin(uniform(n, -1, 1));
        cpu.sgdStep(p.cpu, g.cpu, buf.cpu, 0.1f, 0.9f, 5e-4f, first);
        emu.launch("nrj_sgd_step", p.numel(), shape[1], p.host, g.host, buf.host, 0.1f, 0.9f, 5e-4f, first ? 1 : 0,
            p.numel());
        assertMatch("sgd (first = " + first + ") parameters " + n, p);
        assertMatch("sgd (first = " + first + ") momentum " + n, buf);
      }
    }
  }

  // ---- channel copies ----

  @Test
  @Compares("nrj_copy_channels")
  void copyChannelsOverwritesOrAccumulatesTheChannelRange() {
    // n = 4 images of 64 pixels: channels [1, 4) of 5 into [2, 5) of 7, 768 items
    int n = 4, hw = 64, srcC = 5, dstC = 7, srcOff = 1, dstOff = 2, count = 3;
    for (boolean accumulate : new boolean[] {false, true}) {
      for (int maxBlocks : new int[] {MANY, TWO}) {
        Twin src = twin(uniform(n * srcC * hw, -2, 2)), dst = twin(uniform(n * dstC * hw, -2, 2));
        cpu.copyChannels(src.cpu, srcC, srcOff, dst.cpu, dstC, dstOff, count, n, hw, accumulate);
        emu.launch("nrj_copy_channels", (long) n * count * hw, maxBlocks, src.host, srcC, srcOff, dst.host, dstC,
            dstOff, count, n, hw, accumulate ? 1 : 0);
        assertMatch("copyChannels (accumulate = " + accumulate + ", " + maxBlocks + " blocks)", dst);
      }
    }
  }

  @Test
  @Compares("nrj_gather_block")
  void gatherBlockCopiesSurvivorRowsAndColumnsAndKeepsTheFreshRest() {
    // A conv weight (O 6, I 5, 3x3) -> (4, 7, 3x3): survivors rows {5, 0, 3}, cols {4, 1}, as
    // rejuvenation gathers them (CudaBackend.gatherBlock uploads rows then cols in one buffer).
    int oldCols = 5, newCols = 7, inner = 9;
    int[] rows = {5, 0, 3};
    int[] cols = {4, 1};
    for (int maxBlocks : new int[] {MANY, TWO}) {
      Twin src = twin(uniform(6 * oldCols * inner, -2, 2)), dst = twin(uniform(4 * newCols * inner, -9, 9));
      cpu.gatherBlock(src.cpu, oldCols, dst.cpu, newCols, inner, rows, cols);
      MemorySegment indices = arena.allocate(ValueLayout.JAVA_INT, rows.length + cols.length);
      MemorySegment.copy(rows, 0, indices, ValueLayout.JAVA_INT, 0, rows.length);
      MemorySegment.copy(cols, 0, indices, ValueLayout.JAVA_INT, 4L * rows.length, cols.length);
      emu.launch("nrj_gather_block", (long) rows.length * cols.length * inner, maxBlocks, src.host, oldCols, dst.host,
          newCols, inner, indices, rows.length, indices.asSlice(4L * rows.length), cols.length);
      assertMatch("gatherBlock (" + maxBlocks + " blocks)", dst);
    }
  }

  // ---- pooling ----

  @Test
  @Compares({"nrj_global_avg_pool_forward", "nrj_global_avg_pool_backward"})
  void globalAveragePoolingForwardOverwritesAndBackwardAccumulates() {
    // (n, c, hw): a ResNet head; 560 rows, so the forward loops on two blocks
    int[][] shapes = {{2, 16, 64}, {8, 70, 9}};
    for (int[] s : shapes) {
      int n = s[0], c = s[1], hw = s[2];
      for (int maxBlocks : new int[] {MANY, TWO}) {
        Twin x = twin(uniform(n * c * hw, -2, 2)), y = twin(uniform(n * c, -9, 9));
        cpu.globalAvgPoolForward(x.cpu, y.cpu, n, c, hw);
        long rows = (long) n * c;
        emu.launch("nrj_global_avg_pool_forward", rows, maxBlocks, x.host, y.host, rows, hw);
        assertMatch("global avg pool forward " + Arrays.toString(s), y);

        Twin dy = twin(uniform(n * c, -1, 1)), dx = twin(uniform(n * c * hw, -1, 1));
        cpu.globalAvgPoolBackward(dy.cpu, dx.cpu, n, c, hw);
        emu.launch("nrj_global_avg_pool_backward", rows * hw, maxBlocks, dy.host, dx.host, rows, hw);
        assertMatch("global avg pool backward " + Arrays.toString(s), dx);
      }
    }
  }

  @Test
  @Compares("nrj_max_pool_backward")
  void maxPoolingBackwardRoutesEachWindowToItsFirstMaximumAlsoWhenTied() {
    PoolGeom[] geoms = {
      new PoolGeom(2, 3, 8, 8, 2, 2, 0), // VGG
      new PoolGeom(2, 3, 7, 9, 3, 2, 1), // overlapping, padded corners (ResNet stem)
      new PoolGeom(1, 2, 11, 10, 5, 3, 2),
    };
    for (PoolGeom g : geoms) {
      for (boolean tied : new boolean[] {false, true}) {
        for (int maxBlocks : new int[] {MANY, TWO}) {
          long planes = (long) g.n() * g.c();
          float[] values = uniform(g.n() * g.c() * g.h() * g.w(), -2, 2);
          if (tied) {
            // a dead channel after BN + ReLU is constant; others get ties on a coarse grid
            for (int j = 0; j < values.length; j++) values[j] = j < g.h() * g.w() ? 0.25f : Math.round(values[j]);
          }
          Twin x = twin(values);
          Twin y = twin(uniform(g.n() * g.c() * g.outH() * g.outW(), -9, 9));
          cpu.maxPoolForward(x.cpu, y.cpu, g);
          Twin dy = twin(uniform(g.n() * g.c() * g.outH() * g.outW(), -1, 1));
          Twin dx = twin(uniform(g.n() * g.c() * g.h() * g.w(), -1, 1));
          cpu.maxPoolBackward(x.cpu, y.cpu, dy.cpu, dx.cpu, g);
          emu.launch("nrj_max_pool_backward", planes * g.h() * g.w(), maxBlocks, x.host, dy.host, dx.host, planes,
              g.h(), g.w(), g.outH(), g.outW(), g.kernel(), g.stride(), g.pad());
          assertMatch("max pool backward " + g + (tied ? " tied" : "") + ", " + maxBlocks + " blocks", dx);
        }
      }
    }
  }

  @Test
  @Compares({"nrj_avg_pool_forward", "nrj_avg_pool_backward"})
  void averagePoolingWithPaddingAndStrideForwardOverwritesAndBackwardAccumulates() {
    PoolGeom[] geoms = {
      new PoolGeom(2, 3, 8, 8, 2, 2, 0), // DenseNet transition
      new PoolGeom(2, 3, 7, 9, 3, 2, 1), // odd sizes, padded corners
      new PoolGeom(4, 8, 9, 9, 3, 1, 1), // overlapping windows, 2592 outputs
      new PoolGeom(1, 2, 11, 10, 5, 3, 2),
    };
    for (PoolGeom g : geoms) {
      for (int maxBlocks : new int[] {MANY, TWO}) {
        long planes = (long) g.n() * g.c();
        Twin x = twin(uniform(g.n() * g.c() * g.h() * g.w(), -2, 2));
        Twin y = twin(uniform(g.n() * g.c() * g.outH() * g.outW(), -9, 9));
        cpu.avgPoolForward(x.cpu, y.cpu, g);
        emu.launch("nrj_avg_pool_forward", planes * g.outH() * g.outW(), maxBlocks, x.host, y.host, planes, g.h(),
            g.w(), g.outH(), g.outW(), g.kernel(), g.stride(), g.pad());
        assertMatch("avg pool forward " + g + ", " + maxBlocks + " blocks", y);

        Twin dy = twin(uniform(g.n() * g.c() * g.outH() * g.outW(), -1, 1));
        Twin dx = twin(uniform(g.n() * g.c() * g.h() * g.w(), -1, 1));
        cpu.avgPoolBackward(dy.cpu, dx.cpu, g);
        emu.launch("nrj_avg_pool_backward", planes * g.h() * g.w(), maxBlocks, dy.host, dx.host, planes, g.h(),
            g.w(), g.outH(), g.outW(), g.kernel(), g.stride(), g.pad());
        assertMatch("avg pool backward " + g + ", " + maxBlocks + " blocks", dx);
      }
    }
  }

  // ---- classifier and loss ----

  @Test
  @Compares("nrj_broadcast_rows")
  void linearForwardIsTheBroadcastBiasPlusTheGemm() {
    // CudaBackend.linearForward: nrj_broadcast_rows writes b into every row of y, then cuBLAS adds
    // x w^T with beta = 1. The GEMM here is a plain double-precision stand-in for cuBLAS.
    int[][] shapes = {{37, 20, 10}, {5, 8, 200}}; // (n, c, k); 1000 outputs loop on two blocks
    for (int[] s : shapes) {
      int n = s[0], c = s[1], k = s[2];
      for (int maxBlocks : new int[] {MANY, TWO}) {
        Twin x = twin(uniform(n * c, -1, 1)), w = twin(uniform(k * c, -1, 1)), b = twin(uniform(k, -1, 1));
        Twin y = twin(uniform(n * k, -9, 9));
        cpu.linearForward(x.cpu, w.cpu, b.cpu, y.cpu, n, c, k);
        emu.launch("nrj_broadcast_rows", (long) n * k, maxBlocks, b.host, y.host, n, k);
        gemmStandIn(x.host, w.host, y.host, n, c, k);
        assertMatch("linear forward " + Arrays.toString(s) + ", " + maxBlocks + " blocks", y);
      }
    }
  }

  // y (n, k) += x (n, c) w^T (w is (k, c)), accumulated in double
  private static void gemmStandIn(MemorySegment x, MemorySegment w, MemorySegment y, int n, int c, int k) {
    var f = ValueLayout.JAVA_FLOAT;
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < k; j++) {
        double dot = 0;
        for (int i = 0; i < c; i++) {
          dot += (double) x.getAtIndex(f, (long) r * c + i) * w.getAtIndex(f, (long) j * c + i);
        }
        long o = (long) r * k + j;
        y.setAtIndex(f, o, (float) dot + y.getAtIndex(f, o));
      }
    }
  }

  @Test
  @Compares("nrj_column_sums")
  void linearBackwardAccumulatesColumnSumsIntoTheBiasGradient() {
    int[][] shapes = {{37, 4, 10}, {5, 3, 600}}; // (n, c, k); 600 columns loop on two blocks
    for (int[] s : shapes) {
      int n = s[0], c = s[1], k = s[2];
      for (int maxBlocks : new int[] {MANY, TWO}) {
        Twin x = twin(uniform(n * c, -1, 1)), w = twin(uniform(k * c, -1, 1)), dy = twin(uniform(n * k, -1, 1));
        Twin dw = twin(uniform(k * c, -1, 1)), db = twin(uniform(k, -1, 1));
        cpu.linearBackward(x.cpu, w.cpu, dy.cpu, null, dw.cpu, db.cpu, n, c, k);
        emu.launch("nrj_column_sums", k, maxBlocks, dy.host, db.host, n, k);
        assertMatch("linear backward db " + Arrays.toString(s) + ", " + maxBlocks + " blocks", db);
      }
    }
  }

  @Test
  @Compares("nrj_softmax_cross_entropy")
  void softmaxCrossEntropyGivesTheMeanLossAndOverwritesDlogits() {
    // (n, k, logit scale): CIFAR-10 and -100 heads, large logits (exp overflows without the
    // max subtraction), and 600 rows so the rows loop on two blocks
    double[][] cases = {{37, 10, 3}, {16, 100, 2}, {8, 10, 60}, {600, 3, 4}};
    for (double[] cs : cases) {
      int n = (int) cs[0], k = (int) cs[1];
      for (int maxBlocks : new int[] {MANY, TWO}) {
        int[] labels = random.ints(n, 0, k).toArray();
        Twin logits = twin(uniform(n * k, (float) -cs[2], (float) cs[2])), dlogits = twin(uniform(n * k, -9, 9));
        double cpuLoss = cpu.softmaxCrossEntropy(logits.cpu, labels, dlogits.cpu, n, k);

        // as CudaBackend.softmaxCrossEntropy: per-row losses on the device, their mean on the host
        MemorySegment deviceLabels = arena.allocateFrom(ValueLayout.JAVA_INT, labels);
        MemorySegment losses = arena.allocate(ValueLayout.JAVA_FLOAT, n);
        emu.launch("nrj_softmax_cross_entropy", n, maxBlocks, logits.host, deviceLabels, dlogits.host, losses, n, k);
        double sum = 0;
        for (int i = 0; i < n; i++) {
          sum += losses.getAtIndex(ValueLayout.JAVA_FLOAT, i);
        }
        String what = "softmax cross-entropy " + Arrays.toString(cs) + ", " + maxBlocks + " blocks";
        assertClose(what + " mean loss", new float[] {(float) cpuLoss}, new float[] {(float) (sum / n)});
        assertMatch(what + " dlogits", dlogits);
      }
    }
  }

  // ---- helpers ----

  /** The same values as a CPU backend tensor and as host memory for the emulated kernels. */
  private record Twin(Tensor cpu, MemorySegment host) {
    long numel() {
      return cpu.numel();
    }
  }

  private Twin twin(float[] values) {
    Tensor t = cpu.allocate(values.length);
    tensors.add(t);
    cpu.upload(t, values);
    return new Twin(t, arena.allocateFrom(ValueLayout.JAVA_FLOAT, values));
  }

  private float[] uniform(int n, float lo, float hi) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = lo + (hi - lo) * random.nextFloat();
    }
    return v;
  }

  private static void assertMatch(String what, Twin t) {
    assertClose(what, cpu.download(t.cpu), t.host.toArray(ValueLayout.JAVA_FLOAT));
  }

  private static void assertClose(String what, float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length, what + ": element count");
    for (int i = 0; i < expected.length; i++) {
      double tolerance = ABSOLUTE + RELATIVE * Math.abs(expected[i]);
      if (!(Math.abs((double) expected[i] - actual[i]) <= tolerance)) {
        fail(what + ": element " + i + " is " + actual[i] + " in the emulated kernel, " + expected[i]
            + " on the CPU backend (tolerance " + tolerance + ")");
      }
    }
  }
}
