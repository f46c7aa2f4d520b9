package io.mpac.collector.processor.loki;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.syntax.ConfigException;

/** Makes {@code loki.process} components. */
public final class LokiProcessFactory implements ComponentFactory {

  @Override
  public String name() {
    return "loki.process";
  }

  @Override
  public Schema schema() {
    return LokiProcessConfig.SCHEMA;
  }

  @Override
  public Component create(ComponentContext context, Args args) throws ConfigException {
    return new LokiProcess(context, LokiProcessConfig.from(args), StageContext.SYSTEM);
  }
}
