package io.mpac.collector.exporter.prometheus;

import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.consumer.OtlpConsumer;

/** Test-scope access to the package-private exporter for the benchmarks in {@code bench}. */
public final class Exporters {

  private Exporters() {}

  public static OtlpConsumer create(ComponentContext context, PrometheusExporterConfig config) {
    return new PrometheusExporter(context, config);
  }
}
