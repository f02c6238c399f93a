package io.nrj.examples.annotated;

import io.nrj.processor.api.Classifier;
import io.nrj.processor.api.Conv;
import io.nrj.processor.api.MaxPool;
import io.nrj.processor.api.Network;
import io.nrj.processor.api.Schedule;

/**
 * LeNet-5 for MNIST declared with annotations: the same network as {@code src/main/nr/lenet5.nr}
 * under another name ({@code lenet5_annotated}), so both trainers live side by side.
 */
@Network(
    name = "lenet5_annotated",
    input = "1x28x28",
    classes = 10,
    bnGamma = 0.5,
    schedule = Lenet5.Mnist.class)
public interface Lenet5 {
  @Conv(value = 20, kernel = 5, pad = 0, input = true)
  void conv1();

  @MaxPool(2)
  void pool1();

  @Conv(value = 50, kernel = 5, pad = 0)
  void conv2();

  @MaxPool(2)
  void pool2();

  /** The dense layer of 500, written as a 4x4 conv on the 4x4 map. */
  @Conv(value = 500, kernel = 4, pad = 0)
  void fc();

  @Classifier
  void classifier();

  /** A quick MNIST recipe with Neural Rejuvenation at utilization 0.5. */
  @Schedule(
      name = "lenet_mnist",
      dataset = "mnist",
      epochs = 8,
      batch = 64,
      testBatch = 100,
      lr = 0.05,
      weightDecay = 5e-4,
      lrSteps = {5, 7},
      mean = {0.1307},
      std = {0.3081},
      sparsity = 1e-4,
      target = 0.5)
  interface Mnist {}
}
