package io.mpac.collector.receiver.otlp;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.syntax.ConfigException;

/** Makes {@code otelcol.receiver.otlp} instances. See {@link OtlpReceiver} and the module README. */
public final class ReceiverOtlpFactory implements ComponentFactory {

  public static final String NAME = "otelcol.receiver.otlp";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Schema schema() {
    return ReceiverOtlpConfig.SCHEMA;
  }

  @Override
  public Component create(ComponentContext context, Args args) throws ConfigException {
    return new OtlpReceiver(context, ReceiverOtlpConfig.from(args));
  }
}
