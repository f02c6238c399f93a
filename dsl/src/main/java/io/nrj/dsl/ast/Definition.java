package io.nrj.dsl.ast;

import io.nrj.dsl.SourceLocation;
import java.util.List;

/** A top-level definition: network, block, schedule or train binding. */
public sealed interface Definition extends Node {
  Identifier name();

  /** What the diagnostics call this kind of definition. */
  String kind();

  /** {@code network NAME { settings and layers }}; settings and layers may interleave. */
  record NetworkDef(Identifier name, List<NetworkSetting> settings, List<Statement> body, SourceLocation location)
      implements Definition {
    public NetworkDef {
      settings = List.copyOf(settings);
      body = List.copyOf(body);
    }

    @Override
    public String kind() {
      return "network";
    }
  }

  /** {@code block NAME(p, q = 1) { layers }}: a parameterised sequence of layers. */
  record BlockDef(Identifier name, List<Parameter> parameters, List<Statement> body, SourceLocation location)
      implements Definition {
    public BlockDef {
      parameters = List.copyOf(parameters);
      body = List.copyOf(body);
    }

    @Override
    public String kind() {
      return "block";
    }
  }

  /** {@code schedule NAME { settings }}. */
  record ScheduleDef(Identifier name, List<Setting> settings, SourceLocation location) implements Definition {
    public ScheduleDef {
      settings = List.copyOf(settings);
    }

    @Override
    public String kind() {
      return "schedule";
    }
  }

  /** {@code train NETWORK with SCHEDULE}. */
  record TrainDef(Identifier network, Identifier schedule, SourceLocation location) implements Definition {
    @Override
    public Identifier name() {
      return network;
    }

    @Override
    public String kind() {
      return "train";
    }
  }

  /** A block parameter with an optional default. */
  record Parameter(Identifier name, Expression defaultValue, SourceLocation location) implements Node {}
}
