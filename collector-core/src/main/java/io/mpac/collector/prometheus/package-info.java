/**
 * Prometheus series: what {@code otelcol.exporter.prometheus} (and later {@code prometheus.scrape},
 * {@code prometheus.relabel}) hands to {@code prometheus.remote_write}.
 *
 * <pre>
 *   otelcol.exporter.prometheus --append(MetricsBatch)--&gt; MetricsReceiver (prometheus.remote_write.x.receiver)
 *                               &lt;--ok / Refused (queue full) / Rejected--
 * </pre>
 *
 * <ul>
 *   <li>{@link io.mpac.collector.prometheus.Labels}: an immutable label set sorted by name, with
 *       {@code __name__} among the labels.
 *   <li>{@link io.mpac.collector.prometheus.Sample}: one float sample of one series (a counter, a
 *       gauge, a classic histogram's {@code _bucket{le}}, {@code _sum}, {@code _count}, a summary
 *       quantile), optionally with exemplars; {@link io.mpac.collector.prometheus.Sample#STALE_NAN}
 *       marks a series stale.
 *   <li>{@link io.mpac.collector.prometheus.HistogramSample}: one native histogram sample.
 *   <li>{@link io.mpac.collector.prometheus.Metadata}: type, help and unit of a metric family.
 *   <li>{@link io.mpac.collector.prometheus.MetricsBatch}: what one append carries.
 * </ul>
 */
package io.mpac.collector.prometheus;
