package io.mpac.collector.exporter.loki;

import io.mpac.collector.loki.Labels;
import io.mpac.collector.loki.LokiEntry;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * An entry as {@code loki.write} queues it: its final stream labels (external labels added,
 * internal {@code __} labels and empty values removed), the tenant its {@code __tenant_id__} label
 * asked for (or null), what is sent of it, and its size for batching and queue accounting. It does
 * not keep the {@link LokiEntry}: only the line's UTF-8 bytes stay alive while the entry waits, not
 * the line's {@code String} too.
 *
 * @param line the line as UTF-8 (encoded once, written as is)
 * @param size line plus structured-metadata bytes, as Loki counts them for {@code batch_size}
 */
record QueuedEntry(Labels stream, String tenant, long timestampNanos, byte[] line,
    Map<String, String> structuredMetadata, int size) {

  /** Prepares an entry: its line encoded once (UTF-8), its size for batching. */
  static QueuedEntry of(Labels stream, String tenant, LokiEntry e) {
    byte[] line = e.line().getBytes(StandardCharsets.UTF_8);
    return new QueuedEntry(stream, tenant, e.timestampNanos(), line, e.structuredMetadata(), sizeOf(e, line.length));
  }

  static int sizeOf(LokiEntry e, int lineBytes) {
    return sizeOf(lineBytes, e.structuredMetadata());
  }

  static int sizeOf(int lineBytes, Map<String, String> structuredMetadata) {
    int size = lineBytes;
    if (!structuredMetadata.isEmpty()) {
      for (Map.Entry<String, String> m : structuredMetadata.entrySet()) {
        size += m.getKey().length() + m.getValue().length();
      }
    }
    return Math.max(size, 1);
  }
}
