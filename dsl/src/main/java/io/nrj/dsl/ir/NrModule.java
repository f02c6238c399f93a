package io.nrj.dsl.ir;

import java.util.List;
import java.util.Optional;

/**
 * Everything one {@code .nr} file defines, resolved: networks, schedules and train bindings, plus
 * the file's name and source text (stored in checkpoints so a run can be rebuilt).
 */
public record NrModule(
    String file, String source, List<NetworkIr> networks, List<ScheduleIr> schedules, List<TrainIr> trains) {
  public NrModule {
    networks = List.copyOf(networks);
    schedules = List.copyOf(schedules);
    trains = List.copyOf(trains);
  }

  public Optional<NetworkIr> network(String name) {
    return networks.stream().filter(n -> n.name().equals(name)).findFirst();
  }

  public Optional<ScheduleIr> schedule(String name) {
    return schedules.stream().filter(s -> s.name().equals(name)).findFirst();
  }
}
