package io.nrj.dsl.ir;

import io.nrj.dsl.SourceLocation;

/** A {@code train NETWORK with SCHEDULE} binding. */
public record TrainIr(String network, String schedule, SourceLocation location) {}
