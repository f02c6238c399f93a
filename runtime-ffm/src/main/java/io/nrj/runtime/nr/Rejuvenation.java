package io.nrj.runtime.nr;

import io.nrj.dsl.ir.Widths;
import io.nrj.runtime.HostParams;

/**
 * A rejuvenated network (spec §5): new widths, all its tensors ([survivors | new] in every layer;
 * already rescaled when the schedule asks for bn_restore in a single run), the layout for mixed
 * training and the report. Optimiser state is not carried over.
 */
public record Rejuvenation(
    Widths widths, HostParams params, MixedLayout layout, RejuvenationReport report, double expandRate) {}
