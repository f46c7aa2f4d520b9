package io.mpac.collector.example.counter;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.syntax.ConfigException;

/** Makes {@code example.counter} components; registered by one line in a services file. */
public final class CounterFactory implements ComponentFactory {

  @Override
  public String name() {
    return "example.counter";
  }

  @Override
  public Schema schema() {
    return CounterConfig.SCHEMA;
  }

  @Override
  public Component create(ComponentContext context, Args args) throws ConfigException {
    return new Counter(context, CounterConfig.from(args));
  }
}
