package io.nrj.dsl.ir;

/**
 * Initialisation of a fresh network (spec §8.1). Conv weights are always He-normal fan-out,
 * N(0, sqrt(2 / (k*k*Cout))), and BN beta 0.
 *
 * @param bnGamma initial BN scale: 0.5 for VGG, 1 for ResNet and DenseNet
 * @param classifier classifier weight and bias init
 */
public record InitScheme(double bnGamma, ClassifierInit classifier) {
  public static final InitScheme DEFAULT = new InitScheme(1.0, ClassifierInit.NORMAL_001);

  public enum ClassifierInit {
    /** W ~ N(0, 0.01), bias 0 (every model but CIFAR ResNet). */
    NORMAL_001,
    /** W ~ N(0, sqrt(2/K)), bias ~ U(-1/sqrt(Cin), 1/sqrt(Cin)): CIFAR ResNet quirk (spec §12 C2). */
    HE
  }
}
