package io.mpac.collector.exporter.otlp;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.syntax.ConfigException;

/** {@code otelcol.exporter.otlp}: sends OTLP over gRPC (Tempo on :4317, another collector). */
public final class OtlpGrpcExporterFactory implements ComponentFactory {

  public static final String NAME = "otelcol.exporter.otlp";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Schema schema() {
    return OtlpGrpcExporterConfig.SCHEMA;
  }

  @Override
  public Component create(ComponentContext context, Args args) throws ConfigException {
    return OtlpExporter.grpc(context, OtlpGrpcExporterConfig.from(args));
  }
}
