package io.nrj.runtime.train;

import io.nrj.dsl.ir.Widths;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.nr.MixedLayout;

/**
 * Everything needed to continue a run exactly, taken at an epoch boundary (after the NR inspection
 * of the finished epoch): the checkpoint's content as far as the loop is concerned.
 *
 * @param nextEpoch the 0-based epoch the run continues with
 * @param widths the current widths table
 * @param layout the survivor/new split, null before rejuvenation
 * @param params every parameter and BN buffer (HostParams naming)
 * @param momentum momentum buffers named like their parameters; empty before the first step
 * @param steps optimiser steps taken by the current optimiser (0 after a rejuvenation)
 * @param nrState the NR engine's state JSON
 * @param bestTop1 the best test top-1 so far (spec §12 D3: best and final are both reported)
 */
public record TrainState(
    int nextEpoch, Widths widths, MixedLayout layout, HostParams params, HostParams momentum, long steps,
    String nrState, double bestTop1) {}
