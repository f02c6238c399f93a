package io.nrj.export;

import io.nrj.dsl.ir.NetworkIr;
import io.nrj.dsl.ir.ScheduleIr;
import io.nrj.dsl.ir.Widths;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.nr.MixedLayout;
import java.nio.file.Path;

/**
 * What an export reads: a network as a checkpoint holds it.
 *
 * @param checkpoint the file it came from (named in errors and in the exported files)
 * @param ir the network's IR, compiled from the checkpoint's {@code .nr} source
 * @param widths the widths table it was saved at (after rejuvenation: the new widths, 0 for a
 *     deleted layer)
 * @param layout the [survivors | new] split after rejuvenation, or null before
 * @param params the model's tensors under their checkpoint names (no optimiser state)
 * @param normalize the evaluation normalisation of its schedule ({@link ScheduleIr.Normalize#NONE}
 *     without one)
 * @param epoch epochs completed
 */
public record TrainedNetwork(
    Path checkpoint,
    NetworkIr ir,
    Widths widths,
    MixedLayout layout,
    HostParams params,
    ScheduleIr.Normalize normalize,
    int epoch) {}
