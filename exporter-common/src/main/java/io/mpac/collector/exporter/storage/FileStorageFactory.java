package io.mpac.collector.exporter.storage;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.syntax.ConfigException;

/** {@code otelcol.storage.file}: the directory of the exporters' persistent sending queues. */
public final class FileStorageFactory implements ComponentFactory {

  public static final String NAME = "otelcol.storage.file";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Schema schema() {
    return FileStorageConfig.SCHEMA;
  }

  @Override
  public Component create(ComponentContext context, Args args) throws ConfigException {
    return new FileStorage(context, FileStorageConfig.from(args));
  }
}
