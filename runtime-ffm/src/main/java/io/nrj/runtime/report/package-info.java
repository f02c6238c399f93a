/**
 * The pictures a training run leaves next to its numbers, drawn with JFreeChart (headless):
 * {@link io.nrj.runtime.report.MetricsChart} ({@code metrics.png}: loss per path, top-1, learning
 * rate and λ, utilization against its target, by epoch, from {@code metrics.csv}) and {@link
 * io.nrj.runtime.report.WidthsChart} ({@code widths.png}: per layer the declared, live and new
 * widths at rejuvenation). {@link io.nrj.runtime.report.Charts} holds the shared look and writes
 * the PNG files atomically. Pictures only: the numbers live in the CSV and JSON files.
 */
package io.nrj.runtime.report;
