package io.mpac.collector.exporter.loadbalancing;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.syntax.ConfigException;

/**
 * {@code otelcol.exporter.loadbalancing}: routes spans by trace id (or data by service, resource,
 * metric or stream) to a consistent-hash ring of OTLP/gRPC back ends from a static list or DNS.
 */
public final class LoadBalancingExporterFactory implements ComponentFactory {

  public static final String NAME = "otelcol.exporter.loadbalancing";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Schema schema() {
    return LoadBalancingConfig.SCHEMA;
  }

  @Override
  public Component create(ComponentContext context, Args args) throws ConfigException {
    return new LoadBalancingExporter(context, LoadBalancingConfig.from(args));
  }
}
