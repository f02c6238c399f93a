package io.nrj.examples;

import io.nrj.processor.api.NrSpec;

/**
 * Every shipped {@code .nr} spec (all architectures of spec §8, plus LeNet-5), each turned by the
 * nrj processor into one trainer per {@code train} binding, in this package: {@code
 * Vgg19NrTrainer}, {@code Resnet164NrTrainer}, and so on. The specs live in {@code src/main/nr/}.
 */
final class ShippedSpecs {
  private ShippedSpecs() {}

  @NrSpec("lenet5.nr")
  interface Lenet5 {}

  @NrSpec("vgg19_nr.nr")
  interface Vgg19Nr {}

  @NrSpec("resnet164_nr.nr")
  interface Resnet164Nr {}

  @NrSpec("densenet_bc100_k40_nr.nr")
  interface DensenetBc100K40Nr {}

  @NrSpec("vgg16_nr.nr")
  interface Vgg16Nr {}

  @NrSpec("resnet18_nr.nr")
  interface Resnet18Nr {}

  @NrSpec("resnet34_nr.nr")
  interface Resnet34Nr {}

  @NrSpec("resnet50_nr.nr")
  interface Resnet50Nr {}

  @NrSpec("resnet101_nr.nr")
  interface Resnet101Nr {}

  @NrSpec("densenet121_nr.nr")
  interface Densenet121Nr {}
}
