package io.mpac.collector.receiver.kafka;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.syntax.ConfigException;

/** {@code otelcol.receiver.kafka}: reads OTLP requests from Kafka topics (a writer tier behind MSK). */
public final class KafkaReceiverFactory implements ComponentFactory {

  public static final String NAME = "otelcol.receiver.kafka";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Schema schema() {
    return KafkaReceiverConfig.SCHEMA;
  }

  @Override
  public Component create(ComponentContext context, Args args) throws ConfigException {
    return new KafkaReceiver(context, KafkaReceiverConfig.from(args));
  }
}
