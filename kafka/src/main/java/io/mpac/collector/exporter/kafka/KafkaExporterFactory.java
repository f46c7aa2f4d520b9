package io.mpac.collector.exporter.kafka;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.syntax.ConfigException;

/** {@code otelcol.exporter.kafka}: writes OTLP requests to Kafka topics (a gateway tier in front of MSK). */
public final class KafkaExporterFactory implements ComponentFactory {

  public static final String NAME = "otelcol.exporter.kafka";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Schema schema() {
    return KafkaExporterConfig.SCHEMA;
  }

  @Override
  public Component create(ComponentContext context, Args args) throws ConfigException {
    return new KafkaExporter(context, KafkaExporterConfig.from(args));
  }
}
