package io.nrj.cli;

import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.Shape;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.HostTensor;
import io.nrj.runtime.io.InputFileException;
import io.nrj.runtime.io.Safetensors;
import io.nrj.runtime.io.Safetensors.DType;
import io.nrj.runtime.model.ParamShapes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The two files {@code nrj grad} reads, checked against the network before anything runs: every
 * dtype, shape and value problem names the file and the tensor. The weights must be floating-point
 * tensors named and shaped as the network's (BN running statistics may be left out); the input holds
 * images {@code x} (N, C, H, W), floating-point and finite, and {@code labels} (N) of any dtype
 * whose values are whole class indices.
 *
 * @param x the images, (N, C, H, W) row-major
 * @param labels one class index per image
 */
record GradInputs(int n, float[] x, int[] labels) {
  private static final Set<DType> FLOATS = EnumSet.of(DType.F32, DType.F64, DType.F16, DType.BF16);

  static GradInputs read(Path file, NetworkIr ir) {
    Safetensors.Contents c = Safetensors.read(file);
    Safetensors.Tensor x = required(c, file, "x");
    Safetensors.Tensor y = required(c, file, "labels");
    floating(file, "x", x);
    Shape in = ir.input();
    long[] xs = x.shape();
    if (xs.length != 4 || xs[0] < 1 || xs[1] != in.channels() || xs[2] != in.height() || xs[3] != in.width()) {
      throw new InputFileException(
          file, "tensor 'x' has shape " + Arrays.toString(xs) + ", network '" + ir.name() + "' needs (N, " + in.channels()
              + ", " + in.height() + ", " + in.width() + ") with N >= 1");
    }
    int n = Math.toIntExact(xs[0]);
    if (!Arrays.equals(y.shape(), new long[] {n})) {
      throw new InputFileException(
          file, "tensor 'labels' has shape " + Arrays.toString(y.shape()) + ", expected (" + n + "): one label per image of 'x'");
    }
    float[] images = x.toFloats();
    finite(file, "x", images);
    double[] values = y.toDoubles();
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      double v = values[i];
      if (v != Math.rint(v) || Double.isInfinite(v)) {
        throw new InputFileException(
            file, "tensor 'labels' holds " + v + " at element " + i + "; labels are class indices, whole numbers");
      }
      if (v < 0 || v >= ir.classes()) {
        throw new InputFileException(
            file, "label " + (long) v + " of image " + i + " is not a class of " + ir.name() + " (0 to " + (ir.classes() - 1) + ")");
      }
      labels[i] = (int) v;
    }
    return new GradInputs(n, images, labels);
  }

  /**
   * The weights for {@code ir} at its declared widths: every parameter present, no tensor the
   * network lacks (the message lists the expected names), each with the network's shape, finite.
   * BN running statistics left out are not in the result.
   */
  static HostParams weights(Path file, NetworkIr ir) {
    Safetensors.Contents c = Safetensors.read(file);
    Map<String, int[]> expected = ParamShapes.of(ir, ir.widths());
    HostParams params = new HostParams();
    for (Map.Entry<String, Safetensors.Tensor> e : c.tensors().entrySet()) {
      String name = e.getKey();
      Safetensors.Tensor t = e.getValue();
      int[] shape = expected.get(name);
      if (shape == null) {
        throw new InputFileException(
            file, "tensor '" + name + "' is not in network '" + ir.name() + "'; " + names(expected, c));
      }
      floating(file, name, t);
      if (!Arrays.equals(t.shape(), Arrays.stream(shape).asLongStream().toArray())) {
        throw new InputFileException(
            file, "tensor '" + name + "' has shape " + Arrays.toString(t.shape()) + ", network '" + ir.name() + "' needs "
                + Arrays.toString(shape));
      }
      float[] v = t.toFloats();
      finite(file, name, v);
      params.put(name, new HostTensor(shape, v));
    }
    for (String name : expected.keySet()) {
      // BN running statistics are not read by train-mode BN; every other tensor is.
      if (!name.endsWith(".running_mean") && !name.endsWith(".running_var") && !c.tensors().containsKey(name)) {
        throw new InputFileException(file, "tensor '" + name + "' is missing");
      }
    }
    return params;
  }

  // The names the file lacks (a misnamed tensor's intended name is among them), else all of them.
  private static String names(Map<String, int[]> expected, Safetensors.Contents c) {
    List<String> missing = new ArrayList<>();
    for (String n : expected.keySet()) if (!c.tensors().containsKey(n)) missing.add(n);
    return missing.isEmpty()
        ? "its tensors are: " + String.join(", ", expected.keySet())
        : "its tensors missing from the file are: " + String.join(", ", missing);
  }

  private static Safetensors.Tensor required(Safetensors.Contents c, Path file, String name) {
    Safetensors.Tensor t = c.tensors().get(name);
    if (t == null) throw new InputFileException(file, "has no tensor '" + name + "'; it needs 'x' (N, C, H, W) and 'labels' (N)");
    return t;
  }

  private static void floating(Path file, String name, Safetensors.Tensor t) {
    if (!FLOATS.contains(t.dtype())) {
      throw new InputFileException(file, "tensor '" + name + "' is " + t.dtype() + "; expected a floating-point dtype (F32, F64, F16 or BF16)");
    }
  }

  private static void finite(Path file, String name, float[] v) {
    for (int i = 0; i < v.length; i++) {
      if (!Float.isFinite(v[i])) throw new InputFileException(file, "tensor '" + name + "' holds " + v[i] + " at element " + i);
    }
  }
}
