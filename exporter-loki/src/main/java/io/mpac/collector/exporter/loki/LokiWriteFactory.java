package io.mpac.collector.exporter.loki;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.syntax.ConfigException;

/**
 * {@code loki.write}: receives Loki entries and pushes them to Loki's push API (snappy-compressed
 * protobuf), batching per endpoint and tenant, with bounded queues and retries.
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
    return new LokiWrite(context, LokiWriteConfig.from(args));
  }
}
