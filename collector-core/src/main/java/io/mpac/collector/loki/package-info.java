/**
 * Loki entries and the hand-off between Loki components: {@link io.mpac.collector.loki.LokiEntry}
 * (labels, timestamp, line, structured metadata), its label set {@link
 * io.mpac.collector.loki.Labels} and the {@link io.mpac.collector.loki.LogsReceiver} edge that
 * {@code forward_to} lists refer to.
 */
package io.mpac.collector.loki;
