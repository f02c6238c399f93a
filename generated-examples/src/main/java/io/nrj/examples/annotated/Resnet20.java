package io.nrj.examples.annotated;

import io.nrj.processor.api.Classifier;
import io.nrj.processor.api.Conv;
import io.nrj.processor.api.Label;
import io.nrj.processor.api.Network;
import io.nrj.processor.api.Repeat;
import io.nrj.processor.api.Residual;

/**
 * A CIFAR ResNet-20 (three stages of three basic blocks, 16/32/64 channels) declared with
 * annotations: each residual unit (branch, sum, ReLU) is a method returning the interface that
 * lists its branch. The
 * first unit of stages 2 and 3 halves the resolution, and {@code project} gives it a fixed 1x1
 * projection shortcut. Without a schedule, its trainer takes the recipe from the command line.
 */
@Network(input = "3x32x32", classes = 10, classifierInit = "he")
public interface Resnet20 {
  @Label("conv1")
  @Conv(value = 16, input = true, fixed = true)
  void stem();

  @Repeat(3)
  @Residual
  Basic16 stage1();

  @Residual(project = true)
  Down32 stage2();

  @Repeat(2)
  @Residual
  Basic32 stage2Rest();

  @Residual(project = true)
  Down64 stage3();

  @Repeat(2)
  @Residual
  Basic64 stage3Rest();

  @Classifier
  void classifier();

  /** conv-BN-ReLU, conv-BN, then the sum and a ReLU. */
  interface Basic16 {
    @Conv(16)
    void conv1();

    @Conv(value = 16, relu = false)
    void conv2();
  }

  interface Down32 {
    @Conv(value = 32, stride = 2)
    void conv1();

    @Conv(value = 32, relu = false)
    void conv2();
  }

  interface Basic32 {
    @Conv(32)
    void conv1();

    @Conv(value = 32, relu = false)
    void conv2();
  }

  interface Down64 {
    @Conv(value = 64, stride = 2)
    void conv1();

    @Conv(value = 64, relu = false)
    void conv2();
  }

  interface Basic64 {
    @Conv(64)
    void conv1();

    @Conv(value = 64, relu = false)
    void conv2();
  }
}
