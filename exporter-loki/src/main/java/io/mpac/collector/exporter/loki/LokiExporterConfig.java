package io.mpac.collector.exporter.loki;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.loki.LogsReceiver;
import java.util.List;
import java.util.Objects;

/**
 * Arguments of {@code otelcol.exporter.loki}.
 *
 * @param forwardTo where the converted entries go, in order
 * @param structuredMetadata the structured-metadata extension (off by default)
 */
public record LokiExporterConfig(List<LogsReceiver> forwardTo, StructuredMetadataConfig structuredMetadata) {

  public LokiExporterConfig {
    forwardTo = List.copyOf(forwardTo);
    Objects.requireNonNull(structuredMetadata, "structuredMetadata");
  }

  public LokiExporterConfig(List<LogsReceiver> forwardTo) {
    this(forwardTo, StructuredMetadataConfig.DISABLED);
  }

  static LokiExporterConfig from(Args args) {
    return new LokiExporterConfig(args.list("forward_to"),
        StructuredMetadataConfig.from(args.blockOrDefaults("structured_metadata")));
  }
}
