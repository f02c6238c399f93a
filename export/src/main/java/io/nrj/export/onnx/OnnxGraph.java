package io.nrj.export.onnx;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;

/**
 * An ONNX graph being built: nodes in the order they are added (which must be topological),
 * float32 (and a few int64) initializers, and typed inputs and outputs, all through the classes protoc generates from
 * ONNX's {@code onnx.proto}. Knows nothing about networks.
 */
final class OnnxGraph {
  /** The symbolic batch dimension of every input and output. */
  static final String BATCH = "N";

  private final GraphProto.Builder graph = GraphProto.newBuilder();
  private final Set<String> defined = new HashSet<>(); // node outputs, initializers and inputs
  private long initializerBytes;

  /** A value name defined twice (ONNX requires each name to have one producer). */
  static final class NameClash extends IllegalArgumentException {
    final String name;

    NameClash(String name) {
      super("ONNX value name '" + name + "' is defined twice");
      this.name = name;
    }
  }

  OnnxGraph(String name, String doc) {
    graph.setName(name).setDocString(doc);
  }

  /** Adds a node computing {@code output} from {@code inputs}; returns {@code output}. */
  String node(String op, String output, List<String> inputs, AttributeProto... attributes) {
    define(output);
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(output).addOutput(output).addAllInput(inputs);
    for (AttributeProto a : attributes) n.addAttribute(a);
    graph.addNode(n);
    return output;
  }

  /** Adds a float32 initializer of shape {@code dims} (row-major values); returns its name. */
  String constant(String name, float[] values, long... dims) {
    define(name);
    ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    graph.addInitializer(
        TensorProto.newBuilder()
            .setName(name)
            .setDataType(TensorProto.DataType.FLOAT_VALUE)
            .addAllDims(java.util.Arrays.stream(dims).boxed().toList())
            .setRawData(ByteString.copyFrom(b.array())));
    initializerBytes += b.capacity();
    return name;
  }

  /** Adds a one-dimensional int64 initializer (indices, axes); returns its name. */
  String int64s(String name, long... values) {
    define(name);
    graph.addInitializer(
        TensorProto.newBuilder()
            .setName(name)
            .setDataType(TensorProto.DataType.INT64_VALUE)
            .addDims(values.length)
            .addAllInt64Data(java.util.Arrays.stream(values).boxed().toList()));
    initializerBytes += (long) values.length * Long.BYTES;
    return name;
  }

  /** Declares a float32 graph input of shape (N, dims...) with a free batch dimension N. */
  void input(String name, String doc, long... dims) {
    define(name);
    graph.addInput(value(name, doc, dims));
  }

  /** Declares a float32 graph output of shape (N, dims...). */
  void output(String name, String doc, long... dims) {
    graph.addOutput(value(name, doc, dims));
  }

  private static ValueInfoProto value(String name, String doc, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    shape.addDimBuilder().setDimParam(BATCH);
    for (long d : dims) shape.addDimBuilder().setDimValue(d);
    TypeProto type =
        TypeProto.newBuilder()
            .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))
            .build();
    return ValueInfoProto.newBuilder().setName(name).setDocString(doc).setType(type).build();
  }

  private void define(String name) {
    if (!defined.add(name)) throw new NameClash(name);
  }

  /** Bytes of initializer data so far. */
  long initializerBytes() {
    return initializerBytes;
  }

  GraphProto build() {
    return graph.build();
  }

  static AttributeProto ints(String name, long... values) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long v : values) a.addInts(v);
    return a.build();
  }

  static AttributeProto integer(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
  }

  static AttributeProto real(String name, float value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
  }
}
