package io.mpac.collector.exporter.loki;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import java.util.List;

/**
 * {@code loki.write}: receives Loki entries and pushes them to Loki's push API (snappy-compressed
 * protobuf), batching per endpoint and tenant, with bounded queues (in memory or a WAL on disk) and
 * retries.
 */
public final class LokiWriteFactory implements ComponentFactory {

  @Override
  public String name() {
    return "loki.write";
  }

  @Override
  public Schema schema() {
    return LokiWriteConfig.SCHEMA;
  }

  @Override
  public Component create(ComponentContext context, Args args) throws ConfigException {
    LokiWriteConfig config = LokiWriteConfig.from(args);
    if (config.wal().enabled()) {
      // the persistent QueueStore (FileQueueStore) is not in this build yet: refuse rather than pretend
      throw new ConfigException(List.of(new Diagnostic(args.block("wal").positionOf("enabled"),
          "wal: enabled = true needs the persistent queue store, which this build does not have yet")));
    }
    return new LokiWrite(context, config, null);
  }
}
