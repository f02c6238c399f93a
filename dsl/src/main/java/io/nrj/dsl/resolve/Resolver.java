package io.nrj.dsl.resolve;

import io.nrj.dsl.Diagnostics;
import io.nrj.dsl.Message;
import io.nrj.dsl.ast.Definition;
import io.nrj.dsl.ast.Definition.BlockDef;
import io.nrj.dsl.ast.Definition.NetworkDef;
import io.nrj.dsl.ast.Definition.ScheduleDef;
import io.nrj.dsl.ast.Definition.TrainDef;
import io.nrj.dsl.ast.NrFile;
import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.NrModule;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.TrainIr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The semantic pass over a whole file: finds duplicate definitions, resolves every network and
 * schedule, checks train bindings, and reports everything into one {@link Diagnostics}. Blocks are
 * resolved at their call sites. Returns null when there was an error.
 */
public final class Resolver {
  private final Diagnostics diagnostics;

  public Resolver(Diagnostics diagnostics) {
    this.diagnostics = diagnostics;
  }

  public NrModule resolve(NrFile file, String fileName, String source) {
    Map<String, NetworkDef> networks = new LinkedHashMap<>();
    Map<String, BlockDef> blocks = new HashMap<>();
    Map<String, ScheduleDef> schedules = new LinkedHashMap<>();
    List<TrainDef> trains = new ArrayList<>();
    for (Definition d : file.definitions()) {
      switch (d) {
        case NetworkDef n -> unique(networks, n);
        case BlockDef b -> {
          unique(blocks, b);
          checkParameters(b);
        }
        case ScheduleDef s -> unique(schedules, s);
        case TrainDef t -> trains.add(t);
      }
    }
    List<NetworkIr> networkIrs = new ArrayList<>();
    Set<String> called = new HashSet<>();
    for (NetworkDef n : networks.values()) {
      NetworkIr ir = new NetworkResolver(n, blocks, called, diagnostics).resolve();
      if (ir != null) networkIrs.add(ir);
    }
    // Blocks are checked where they are called; say so for the ones that never are. (Only when the
    // networks resolved, since an aborted network may not have reached its calls.)
    if (!diagnostics.hasErrors()) {
      for (Definition d : file.definitions()) {
        if (d instanceof BlockDef b && !called.contains(b.name().value()) && blocks.get(b.name().value()) == b) {
          diagnostics.report(Message.UNUSED_BLOCK, b.name().location(), b.name().value());
        }
      }
    }
    List<ScheduleIr> scheduleIrs = new ArrayList<>();
    for (ScheduleDef s : schedules.values()) {
      ScheduleIr ir = new ScheduleResolver(s, diagnostics).resolve();
      if (ir != null) scheduleIrs.add(ir);
    }
    List<TrainIr> trainIrs = new ArrayList<>();
    for (TrainDef t : trains) {
      boolean ok = true;
      if (!networks.containsKey(t.network().value())) {
        diagnostics.reportUnknown(Message.UNKNOWN_NETWORK, t.network().location(), t.network().value(), networks.keySet(), null);
        ok = false;
      }
      if (!schedules.containsKey(t.schedule().value())) {
        diagnostics.reportUnknown(Message.UNKNOWN_SCHEDULE, t.schedule().location(), t.schedule().value(), schedules.keySet(), null);
        ok = false;
      }
      if (ok) trainIrs.add(new TrainIr(t.network().value(), t.schedule().value(), t.location()));
    }
    if (diagnostics.hasErrors()) return null;
    return new NrModule(fileName, source, networkIrs, scheduleIrs, trainIrs);
  }

  private <D extends Definition> void unique(Map<String, D> seen, D d) {
    D first = seen.putIfAbsent(d.name().value(), d);
    if (first != null) {
      diagnostics.report(Message.DUPLICATE_DEFINITION, d.name().location(), d.kind(), d.name().value(), first.name().location());
    }
  }

  private void checkParameters(BlockDef b) {
    Map<String, Definition.Parameter> seen = new HashMap<>();
    for (Definition.Parameter p : b.parameters()) {
      if (seen.putIfAbsent(p.name().value(), p) != null) {
        diagnostics.report(Message.DUPLICATE_PARAMETER, p.name().location(), b.name().value(), p.name().value());
      }
    }
  }
}
