package io.nrj.processor.writing;

import com.palantir.javapoet.ClassName;

/** The runtime and DSL types generated trainers use, named in one place. */
final class RuntimeNames {
  static final ClassName BACKEND = ClassName.get("io.nrj.runtime", "Backend");
  static final ClassName LAYER_NETWORK = ClassName.get("io.nrj.runtime.model", "LayerNetwork");
  static final ClassName LAYER = ClassName.get("io.nrj.runtime.model", "Layer");
  static final ClassName ACTIVATION = ClassName.get("io.nrj.runtime.model", "Activation");
  static final ClassName CONV_BN = ClassName.get("io.nrj.runtime.model", "ConvBnLayer");
  static final ClassName MAX_POOL = ClassName.get("io.nrj.runtime.model", "MaxPoolLayer");
  static final ClassName AVG_POOL = ClassName.get("io.nrj.runtime.model", "AvgPoolLayer");
  static final ClassName RELU = ClassName.get("io.nrj.runtime.model", "ReluLayer");
  static final ClassName ADD = ClassName.get("io.nrj.runtime.model", "AddLayer");
  static final ClassName CONCAT = ClassName.get("io.nrj.runtime.model", "ConcatLayer");
  static final ClassName CLASSIFIER = ClassName.get("io.nrj.runtime.model", "ClassifierLayer");
  static final ClassName NR_COMPILER = ClassName.get("io.nrj.dsl", "NrCompiler");
  static final ClassName COMPILE_RESULT = ClassName.get("io.nrj.dsl", "CompileResult");
  static final ClassName NETWORK_IR = ClassName.get("io.nrj.dsl.ir", "NetworkIr");
  static final ClassName IR_NODE = ClassName.get("io.nrj.dsl.ir", "IrNode");
  static final ClassName GENERATED = ClassName.get("javax.annotation.processing", "Generated");

  private RuntimeNames() {}
}
