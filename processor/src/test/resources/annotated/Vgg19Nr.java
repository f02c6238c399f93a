package io.nrj.examples.annotated;

import io.nrj.processor.api.Classifier;
import io.nrj.processor.api.Conv;
import io.nrj.processor.api.MaxPool;
import io.nrj.processor.api.Network;
import io.nrj.processor.api.Repeat;
import io.nrj.processor.api.Schedule;

/**
 * CIFAR VGG-19 as Neural Rejuvenation uses it (spec §8.2), declared with annotations instead of
 * {@code .nr} text. It yields exactly the IR of {@code src/main/nr/vgg19_nr.nr} (a processor test
 * checks this); the processor generates {@code Vgg19NrTrainer} in this package.
 */
@Network(input = "3x32x32", classes = 10, bnGamma = 0.5, schedule = Vgg19Nr.Cifar10.class)
public interface Vgg19Nr {
  @Conv(value = 64, input = true)
  void conv1();

  @Conv(64)
  void conv2();

  @Conv(128)
  void conv3();

  @Conv(128)
  void conv4();

  @MaxPool(2)
  void pool1();

  @Repeat(4)
  @Conv(256)
  void stage3();

  @Conv(512)
  void conv9();

  @Conv(512)
  void conv10();

  @MaxPool(2)
  void pool2();

  @Repeat(6)
  @Conv(512)
  void stage5();

  @Classifier
  void classifier();

  /** The CIFAR-10 recipe of spec §9.1 with lambda 1.5e-4, rejuvenating once at utilization 0.25. */
  @Schedule(
      name = "vgg19_cifar10",
      dataset = "cifar10",
      epochs = 300,
      batch = 64,
      testBatch = 100,
      lr = 0.1,
      momentum = 0.9,
      weightDecay = 1e-4,
      lrSteps = {150, 225},
      gamma = 0.1,
      crop = 32,
      cropPad = 4,
      flip = true,
      mean = {0.4914, 0.4822, 0.4465},
      std = {0.2023, 0.1994, 0.2010},
      sparsity = 1.5e-4,
      target = 0.25,
      measure = "params",
      cross = "removed")
  interface Cifar10 {}
}
