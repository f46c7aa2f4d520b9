package io.mpac.collector.processor.batch;

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

/** Registers {@code otelcol.processor.batch}. */
public final class BatchProcessorFactory implements ComponentFactory {

  public static final String NAME = "otelcol.processor.batch";

  static final Schema OUTPUT = Schema.builder()
      .optional("traces", Types.consumersOf(Signal.TRACES), List.of(), "consumers of traces batches")
      .optional("metrics", Types.consumersOf(Signal.METRICS), List.of(), "consumers of metrics batches")
      .optional("logs", Types.consumersOf(Signal.LOGS), List.of(), "consumers of logs batches")
      .build();


  static final Schema SCHEMA = Schema.builder()
      .optional("timeout", Types.DURATION, BatchProcessorConfig.DEFAULT_TIMEOUT,
          "how long a batch may wait for more items")
      .optional("send_batch_size", Types.INT, (long) BatchProcessorConfig.DEFAULT_SEND_BATCH_SIZE,
          "items that trigger a send")
      .optional("send_batch_max_size", Types.INT, (long) BatchProcessorConfig.DEFAULT_SEND_BATCH_MAX_SIZE,
          "the most items in a batch; 0 = no limit")
      .optional("metadata_keys", Types.STRING_LIST, List.of(), "client metadata keys to batch by")
      .optional("metadata_cardinality_limit", Types.INT, (long) BatchProcessorConfig.DEFAULT_METADATA_CARDINALITY_LIMIT,
          "the most distinct metadata combinations; 0 = no limit")
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
    return new BatchProcessor(context, BatchProcessorConfig.from(args));
  }
}
