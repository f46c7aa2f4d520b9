package io.mpac.collector.component;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.syntax.ConfigException;

/**
 * Makes instances of one Alloy component (e.g. {@code otelcol.processor.batch}). Factories are
 * found at run time through {@link java.util.ServiceLoader}: a module lists its factories in
 * {@code META-INF/services/io.mpac.collector.component.ComponentFactory}.
 */
public interface ComponentFactory {

  /** The Alloy component name, e.g. {@code otelcol.receiver.otlp}. */
  String name();

  /** The arguments and blocks the component takes; the pipeline checks a config against it. */
  Schema schema();

  /**
   * Builds an instance from decoded arguments. Must not do I/O or start threads: {@code validate}
   * builds every component too. Semantic problems (e.g. {@code send_batch_max_size} below
   * {@code send_batch_size}) are thrown as a {@link ConfigException} whose diagnostics point at
   * the offending attribute ({@link Args#positionOf(String)}).
   */
  Component create(ComponentContext context, Args args) throws ConfigException;
}
