package io.nrj.runtime.nr;

import io.nrj.dsl.ir.Widths;

/**
 * A rejuvenated network (spec §5): new widths, the surgery that builds its tensors ([survivors |
 * new] in every layer) from the sparse network's, the layout for mixed training and the report.
 * Optimiser state is not carried over.
 *
 * @param bnRestore whether bn_restore (spec §7) is due right after the surgery, through {@link
 *     NrEngine#applyPendingBnRestore} (single runs; a compress-only run defers it to its resume)
 */
public record Rejuvenation(
    Widths widths, Surgery surgery, MixedLayout layout, RejuvenationReport report, double expandRate,
    boolean bnRestore) {}
