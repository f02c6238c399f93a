package io.nrj.dsl.ast;

import io.nrj.dsl.SourceLocation;

/** A network-level setting: input shape, class count, initialisation. */
public sealed interface NetworkSetting extends Node {
  /** The keyword, for duplicate detection and messages. */
  String keyword();

  /** {@code input CxHxW}; the sizes as written (may be out of int range). */
  record InputShape(long channels, long height, long width, SourceLocation location) implements NetworkSetting {
    @Override
    public String keyword() {
      return "input";
    }
  }

  /** {@code classes K}. */
  record Classes(Expression count, SourceLocation location) implements NetworkSetting {
    @Override
    public String keyword() {
      return "classes";
    }
  }

  /** {@code bn_gamma G}: initial BN scale (spec §8.1). */
  record BnGamma(Setting.Value.Number value, SourceLocation location) implements NetworkSetting {
    @Override
    public String keyword() {
      return "bn_gamma";
    }
  }

  /** {@code classifier_init normal|he} (spec §8.1, §12 C2). */
  record ClassifierInit(Identifier kind, SourceLocation location) implements NetworkSetting {
    @Override
    public String keyword() {
      return "classifier_init";
    }
  }
}
