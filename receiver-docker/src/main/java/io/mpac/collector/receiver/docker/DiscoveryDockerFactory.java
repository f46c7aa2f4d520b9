package io.mpac.collector.receiver.docker;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.syntax.ConfigException;

/** Makes {@code discovery.docker} components. */
public final class DiscoveryDockerFactory implements ComponentFactory {

  @Override
  public String name() {
    return "discovery.docker";
  }

  @Override
  public Schema schema() {
    return DiscoveryDockerConfig.SCHEMA;
  }

  @Override
  public Component create(ComponentContext context, Args args) throws ConfigException {
    return new DiscoveryDocker(context, DiscoveryDockerConfig.from(args));
  }
}
