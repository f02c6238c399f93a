package io.nrj.runtime;

/**
 * Argument checks of {@link Backend#gatherBlock}, shared by the backends so a bad index fails the
 * same way on the CPU and before any device work is queued.
 */
public final class GatherBlock {
  private GatherBlock() {}

  /**
   * Throws IllegalArgumentException unless every source element (rows[r], cols[q], :) lies in a
   * tensor of {@code srcNumel} elements viewed as (?, srcCols, inner), and the destination block
   * (rows.length, cols.length, inner) fits one of {@code dstNumel} viewed as (?, dstCols, inner).
   */
  public static void check(long srcNumel, int srcCols, long dstNumel, int dstCols, int inner, int[] rows, int[] cols) {
    if (srcCols <= 0 || dstCols <= 0 || inner <= 0 || cols.length > dstCols) {
      throw new IllegalArgumentException(
          "gatherBlock: " + cols.length + " columns into " + dstCols + " (srcCols " + srcCols + ", inner " + inner + ")");
    }
    long srcRows = srcNumel / ((long) srcCols * inner);
    for (int r : rows) {
      if (r < 0 || r >= srcRows) throw new IllegalArgumentException("gatherBlock: row " + r + " of " + srcRows);
    }
    for (int q : cols) {
      if (q < 0 || q >= srcCols) throw new IllegalArgumentException("gatherBlock: column " + q + " of " + srcCols);
    }
    if ((long) rows.length * dstCols * inner > dstNumel) {
      throw new IllegalArgumentException(
          "gatherBlock: " + rows.length + " rows of " + dstCols + "x" + inner + " do not fit " + dstNumel + " elements");
    }
  }
}
