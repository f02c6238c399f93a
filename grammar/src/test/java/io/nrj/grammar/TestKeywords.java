package io.nrj.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Pins the keyword lists: adding or un-reserving a keyword must be a visible decision. */
class TestKeywords {
  @Test
  void reservedWordsArePinned() {
    assertEquals(
        List.of(
            "adaptive", "add", "augment", "avgpool", "batch", "block", "bn_gamma", "bn_restore",
            "channels", "classes", "classifier", "classifier_init", "compress_only", "concat",
            "conv", "crop", "cross", "dataset", "dead_threshold", "dense", "epochs", "expand",
            "fixed", "flip", "from", "image", "input", "live_threshold", "lr", "lr_steps",
            "maxpool", "measure", "momentum", "network", "new_gamma", "norelu", "normalize",
            "precision", "project", "rejuvenate", "relu", "repeat", "residual", "resize",
            "resized_crop", "schedule", "sgd", "shortcut", "sparsity", "split", "test_batch",
            "train", "weight_decay", "with"),
        List.copyOf(NrKeywords.reserved()));
  }

  @Test
  void nonReservedKeywordsAreAcceptedAsNames() {
    assertEquals(
        List.of("gamma", "kernel", "mean", "mode", "pad", "start", "std", "step", "stride", "target", "threshold"),
        NrKeywords.nonReserved());
  }
}
