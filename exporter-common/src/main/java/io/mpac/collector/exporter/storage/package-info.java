/**
 * {@code otelcol.storage.file}: where exporters keep persistent sending queues
 * ({@code sending_queue { storage = otelcol.storage.file.NAME.handler }}).
 */
package io.mpac.collector.exporter.storage;
