package io.nrj.processor.writing;

import com.palantir.javapoet.ClassName;

/**
 * The runtime types generated trainers use, named in one place. Generated code depends only on
 * the committed runtime contracts ({@code Backend}, {@code Tensor}, the geometry records, {@code
 * HostParams}, {@code HostTensor}) and the IR's {@code Widths}.
 */
final class RuntimeNames {
  static final ClassName BACKEND = ClassName.get("io.nrj.runtime", "Backend");
  static final ClassName TENSOR = ClassName.get("io.nrj.runtime", "Tensor");
  static final ClassName CONV_GEOM = ClassName.get("io.nrj.runtime", "ConvGeom");
  static final ClassName POOL_GEOM = ClassName.get("io.nrj.runtime", "PoolGeom");
  static final ClassName HOST_PARAMS = ClassName.get("io.nrj.runtime", "HostParams");
  static final ClassName HOST_TENSOR = ClassName.get("io.nrj.runtime", "HostTensor");
  static final ClassName WIDTHS = ClassName.get("io.nrj.dsl.ir", "Widths");
  static final ClassName GENERATED = ClassName.get("javax.annotation.processing", "Generated");

  private RuntimeNames() {}
}
