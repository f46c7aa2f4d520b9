package io.mpac.collector.exporter.prometheus;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.DebugMetrics;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.prometheus.MetricsReceiver;

/**
 * {@code otelcol.exporter.prometheus}: converts OTLP metrics into Prometheus series and hands them
 * to {@code MetricsReceiver}s such as {@code prometheus.remote_write}. Exports {@code input}, an
 * {@code otelcol.Consumer} that accepts metrics.
 */
public final class PrometheusExporterFactory implements ComponentFactory {


  static final Schema SCHEMA = Schema.builder()
      .required("forward_to", Types.listOf(Types.handle(MetricsReceiver.KIND, MetricsReceiver.class)),
          "receivers of the converted series, e.g. [prometheus.remote_write.default.receiver]")
      .optional("include_target_info", Types.BOOL, true,
          "write one target_info series per resource with its attributes as labels")
      .optional("include_scope_info", Types.BOOL, false, "write one otel_scope_info series per instrumentation scope")
      .optional("include_scope_labels", Types.BOOL, true,
          "add otel_scope_name and otel_scope_version labels to every series")
      .optional("add_metric_suffixes", Types.BOOL, true,
          "append unit suffixes (_seconds, _bytes), _total to counters and _ratio to unit-1 gauges")
      .optional("resource_to_telemetry_conversion", Types.BOOL, false,
          "copy every resource attribute onto every series as a label (watch the cardinality)")
      .optional("gc_frequency", Types.DURATION, PrometheusExporterConfig.DEFAULT_GC_FREQUENCY,
          "forget series (and delta running totals) not seen for this long")
      .optional("keep_identifying_resource_attributes", Types.BOOL, false,
          "keep service.name, service.namespace and service.instance.id as target_info labels")
      .block("debug_metrics", DebugMetrics.SCHEMA, Schema.BlockSpec.Cardinality.OPTIONAL, DebugMetrics.DOC)
      .build();

  @Override
  public String name() {
    return "otelcol.exporter.prometheus";
  }

  @Override
  public Schema schema() {
    return SCHEMA;
  }

  @Override
  public Component create(ComponentContext context, Args args) throws ConfigException {
    return new PrometheusExporter(context, PrometheusExporterConfig.from(args));
  }
}
