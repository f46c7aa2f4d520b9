package io.mpac.collector.exporter.debug;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.ConfigException;

/** {@code otelcol.exporter.debug}: writes what it receives to the collector's log or stdout. */
public final class DebugExporterFactory implements ComponentFactory {

  static final Schema SCHEMA = Schema.builder()
      .optional("verbosity", Types.oneOf("basic", "normal", "detailed"), "basic",
          "basic: counts per request; normal: one line per item; detailed: every field")
      .optional("sampling_initial", Types.INT, 2L, "requests written per second before sampling starts")
      .optional("sampling_thereafter", Types.INT, 1L, "then every Nth request in that second is written")
      .optional("use_internal_logger", Types.BOOL, true, "write through the collector's logger (else stdout)")
      .build();

  @Override
  public String name() {
    return "otelcol.exporter.debug";
  }

  @Override
  public Schema schema() {
    return SCHEMA;
  }

  @Override
  public Component create(ComponentContext context, Args args) throws ConfigException {
    DebugExporterConfig config = DebugExporterConfig.from(args);
    return new DebugExporter(context, config);
  }
}
