package io.mpac.collector.receiver.docker;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.syntax.ConfigException;

/** Makes {@code loki.source.docker} components. */
public final class LokiSourceDockerFactory implements ComponentFactory {

  @Override
  public String name() {
    return "loki.source.docker";
  }

  @Override
  public Schema schema() {
    return LokiSourceDockerConfig.SCHEMA;
  }

  @Override
  public Component create(ComponentContext context, Args args) throws ConfigException {
    return new LokiSourceDocker(context, LokiSourceDockerConfig.from(args));
  }
}
