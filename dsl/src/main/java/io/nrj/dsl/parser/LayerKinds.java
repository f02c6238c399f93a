package io.nrj.dsl.parser;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What can start a layer, for "unknown layer kind" diagnostics: the layer keywords, the file's
 * blocks, and the names other frameworks use for the same thing ({@code linear} is nrj's
 * {@code classifier}), so that a newcomer's habit gets a suggestion even when no spelling is close.
 */
final class LayerKinds {
  private LayerKinds() {}

  static final List<String> KEYWORDS =
      List.of("conv", "maxpool", "avgpool", "relu", "residual", "dense", "repeat", "add", "concat", "classifier");

  static final String HELP =
      "a layer is conv, maxpool, avgpool, relu, residual, dense, repeat, add, concat, classifier or a block call 'name(...)'";

  // Other frameworks' names for what nrj spells differently (PyTorch, Keras).
  private static final Map<String, String> ALIASES =
      Map.ofEntries(
          Map.entry("linear", "classifier"),
          Map.entry("fc", "classifier"),
          Map.entry("softmax", "classifier"),
          Map.entry("conv2d", "conv"),
          Map.entry("convolution", "conv"),
          Map.entry("pool", "maxpool"),
          Map.entry("max_pool", "maxpool"),
          Map.entry("maxpool2d", "maxpool"),
          Map.entry("avg_pool", "avgpool"),
          Map.entry("avgpool2d", "avgpool"),
          Map.entry("adaptiveavgpool2d", "avgpool"),
          Map.entry("sequential", "repeat"),
          Map.entry("cat", "concat"));

  /** Layer keywords and the given block names. */
  static Collection<String> names(Collection<String> blocks) {
    List<String> all = new ArrayList<>(KEYWORDS);
    all.addAll(blocks);
    return all;
  }

  /** nrj's name for another framework's layer name (case-insensitive), or null. */
  static String alias(String word) {
    return ALIASES.get(word.toLowerCase(java.util.Locale.ROOT));
  }
}
