package io.mpac.collector.loki;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One Loki log entry as it travels between Loki components ({@code otelcol.exporter.loki},
 * {@code loki.source.*}, {@code loki.process} → {@code loki.write}): the stream's labels, a
 * timestamp, the line and optional structured metadata (Loki 3's per-entry key/value pairs that are
 * not indexed, such as {@code trace_id}).
 *
 * <p>Immutable. The structured metadata map keeps the caller's order and cannot be modified.
 *
 * @param labels the stream labels (may include internal {@code __}-prefixed labels such as
 *     {@link Labels#TENANT_ID}, removed by {@code loki.write})
 * @param timestampNanos Unix time in nanoseconds
 * @param line the log line
 * @param structuredMetadata name → value, possibly empty, never null
 */
public record LokiEntry(Labels labels, long timestampNanos, String line, Map<String, String> structuredMetadata) {

  public LokiEntry {
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(line, "line");
    if (structuredMetadata == null || structuredMetadata.isEmpty()) {
      structuredMetadata = Map.of();
    } else {
      structuredMetadata = Collections.unmodifiableMap(new LinkedHashMap<>(structuredMetadata));
    }
  }

  /** An entry without structured metadata. */
  public LokiEntry(Labels labels, long timestampNanos, String line) {
    this(labels, timestampNanos, line, Map.of());
  }

  /** This entry with other labels. */
  public LokiEntry withLabels(Labels newLabels) {
    return new LokiEntry(newLabels, timestampNanos, line, structuredMetadata);
  }
}
