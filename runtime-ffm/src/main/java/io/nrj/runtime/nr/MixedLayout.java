package io.nrj.runtime.nr;

import io.nrj.dsl.ir.NrSettings.CrossMode;
import java.util.List;

/**
 * How a rejuvenated network's channels are split into survivors and new neurons (spec §6.1): every
 * tensor between layers is ordered [survivors | new]. Produced by the NR engine at rejuvenation,
 * consumed by the model runtime for mixed training (spec §6) and stored in checkpoints.
 *
 * @param convs one entry per NR conv, by convIndex
 * @param classifierLiveIn survivor input features of the classifier (the first columns); its logits
 *     split into a survivor set (inputs [0, liveIn)) and a new set (the rest), sharing the bias
 * @param cross whether cross blocks are removed (their gradients masked to zero and left out) or
 *     gated by cross-attention
 */
public record MixedLayout(List<ConvSplit> convs, int classifierLiveIn, CrossMode cross) {
  public MixedLayout {
    convs = List.copyOf(convs);
  }

  /**
   * One conv after rejuvenation (spec §5.2).
   *
   * @param liveIn survivor input channels li (the first li input channels)
   * @param liveOut survivor output channels lo (the first lo output channels)
   * @param split true when the conv is split into diagonal and cross blocks: not an input layer,
   *     outW > lo and inW > li. Unsplit convs run as ordinary convs (spec §6.2, §12 B6).
   * @param deleted the layer was fully dead and is gone (width 0)
   */
  public record ConvSplit(int liveIn, int liveOut, boolean split, boolean deleted) {}
}
