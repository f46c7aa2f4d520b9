package io.mpac.collector.exporter.prometheus;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.syntax.ConfigException;

/**
 * {@code prometheus.remote_write} with an in-memory WAL, for benchmarks that compare it with the
 * on-disk one. Test code only: no configuration of the collector can select it.
 */
public final class MemoryWalRemoteWriteFactory implements ComponentFactory {

  @Override
  public String name() {
    return "prometheus.remote_write";
  }

  @Override
  public Schema schema() {
    return RemoteWriteFactory.SCHEMA;
  }

  @Override
  public Component create(ComponentContext context, Args args) throws ConfigException {
    return new RemoteWrite(context, RemoteWriteConfig.from(args), WalStores.inMemory(l -> l));
  }
}
