package io.mpac.collector.exporter.loki;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.loki.LogsReceiver;

/**
 * {@code otelcol.exporter.loki}: converts OTLP log records into Loki entries (labels, JSON/logfmt/raw
 * line) and forwards them to Loki components such as {@code loki.write}. See {@link LogsConverter}
 * for the rules.
 */
public final class LokiExporterFactory implements ComponentFactory {

  static final Schema SCHEMA = Schema.builder()
      .required("forward_to", LogsReceiver.LIST, "Loki receivers the converted entries are sent to")
      .block("structured_metadata", StructuredMetadataConfig.SCHEMA, Schema.BlockSpec.Cardinality.OPTIONAL,
          "(extension) Loki 3 correlation: trace_id/span_id and chosen attributes as structured metadata, "
              + "plus a service_name label; off by default")
      .build();

  @Override
  public String name() {
    return "otelcol.exporter.loki";
  }

  @Override
  public Schema schema() {
    return SCHEMA;
  }

  @Override
  public Component create(ComponentContext context, Args args) {
    return new LokiExporter(context, LokiExporterConfig.from(args));
  }
}
