package io.mpac.collector.processor.memorylimiter;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.DebugMetrics;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Schema.BlockSpec.Cardinality;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.pdata.Signal;
import java.util.List;

/** Registers {@code otelcol.processor.memory_limiter}. */
public final class MemoryLimiterFactory implements ComponentFactory {

  public static final String NAME = "otelcol.processor.memory_limiter";

  static final Schema OUTPUT = Schema.builder()
      .optional("traces", Types.consumersOf(Signal.TRACES), List.of(), "consumers of traces")
      .optional("metrics", Types.consumersOf(Signal.METRICS), List.of(), "consumers of metrics")
      .optional("logs", Types.consumersOf(Signal.LOGS), List.of(), "consumers of logs")
      .build();


  static final Schema SCHEMA = Schema.builder()
      .required("check_interval", Types.DURATION, "how often the heap is measured; greater than zero")
      .optional("limit", Types.BYTES, 0L,
          "hard limit of the heap in use (whole MiB); data is refused above limit - spike_limit; either this or limit_percentage")
      .optional("spike_limit", Types.BYTES, 0L, "hard minus soft limit (whole MiB), less than limit; 0 = 20% of limit")
      .optional("limit_percentage", Types.INT, 0L,
          "hard limit in percent of the JVM's max heap (-Xmx); either this or limit")
      .optional("spike_limit_percentage", Types.INT, 0L,
          "hard minus soft limit in percent of the max heap, less than limit_percentage; required with it")
      .block("output", OUTPUT, Cardinality.REQUIRED)
      .block("debug_metrics", DebugMetrics.SCHEMA, Cardinality.OPTIONAL, DebugMetrics.DOC)
      .build();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Schema schema() {
    return SCHEMA;
  }

  @Override
  public Component create(ComponentContext context, Args args) throws ConfigException {
    return new MemoryLimiterProcessor(context, MemoryLimiterConfig.from(args));
  }
}
