package io.mpac.collector.exporter.otlp;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.syntax.ConfigException;

/** {@code otelcol.exporter.otlphttp}: sends OTLP over HTTP (Tempo :4318, Loki 3 {@code /otlp}). */
public final class OtlpHttpExporterFactory implements ComponentFactory {

  public static final String NAME = "otelcol.exporter.otlphttp";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Schema schema() {
    return OtlpHttpExporterConfig.SCHEMA;
  }

  @Override
  public Component create(ComponentContext context, Args args) throws ConfigException {
    return OtlpExporter.http(context, OtlpHttpExporterConfig.from(args));
  }
}
