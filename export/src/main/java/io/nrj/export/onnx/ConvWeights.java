package io.nrj.export.onnx;

import io.nrj.export.InferenceGraph;
import io.nrj.export.InferenceGraph.BatchNorm;
import io.nrj.export.InferenceGraph.CrossGate;

/**
 * The constant tensors an exported conv needs, computed in double and rounded once to float:
 * BatchNorm folded into the conv for inference, the per-channel affine BN reduces to in eval mode,
 * and the diagonal and cross blocks of a cross-attention conv's weight.
 */
final class ConvWeights {
  private ConvWeights() {}

  /**
   * BN folded into the conv (weight (outC, inC, k, k), no bias): BN(conv(x, W)) = conv(x, W') + b'
   * with W'[o] = W[o]·s[o], b'[o] = beta[o] - mean[o]·s[o] and s = gamma / sqrt(var + eps).
   *
   * @return {W', b'}
   */
  static float[][] folded(InferenceGraph.Conv c) {
    float[] w = c.weight().data();
    BatchNorm bn = c.bn();
    int out = c.out().channels();
    int per = w.length / out;
    float[] fw = new float[w.length];
    float[] fb = new float[out];
    for (int o = 0; o < out; o++) {
      double s = bn.scale(o);
      for (int j = o * per; j < (o + 1) * per; j++) fw[j] = (float) (w[j] * s);
      fb[o] = (float) bn.shift(o);
    }
    return new float[][] {fw, fb};
  }

  /** BN in eval mode as y = z·scale + shift per channel: {scale, shift}, each (outC). */
  static float[][] affine(BatchNorm bn, int channels) {
    float[] scale = new float[channels];
    float[] shift = new float[channels];
    for (int c = 0; c < channels; c++) {
      scale[c] = (float) bn.scale(c);
      shift[c] = (float) bn.shift(c);
    }
    return new float[][] {scale, shift};
  }

  /**
   * The weight restricted to the diagonal blocks ({@code diagonal}) or the cross blocks, times
   * {@code factor} (exact for 2), zero elsewhere: what the runtime's masks select.
   */
  static float[] blocks(InferenceGraph.Conv c, boolean diagonal, float factor) {
    float[] w = c.weight().data();
    CrossGate gate = c.gate();
    int out = c.out().channels();
    int in = c.in().channels();
    int kk = c.kernel() * c.kernel();
    float[] r = new float[w.length];
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        if (gate.diagonal(o, i) != diagonal) continue;
        int at = (o * in + i) * kk;
        for (int j = at; j < at + kk; j++) r[j] = w[j] * factor;
      }
    }
    return r;
  }
}
