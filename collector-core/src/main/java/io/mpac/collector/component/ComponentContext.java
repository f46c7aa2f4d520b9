package io.mpac.collector.component;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * What the runtime gives a component: its id, a private storage directory (created on demand,
 * {@code <storage.path>/<component id>}), the metrics registry and a logger.
 *
 * @param id the instance's id
 * @param storageDir directory for the component's files (positions, WAL); may not exist yet
 * @param meterRegistry where the component registers its self-metrics
 * @param logger the component's logger (name {@code component.<id>})
 * @param exportsListener told by {@link #exportsChanged()}; the runtime re-evaluates dependents
 */
public record ComponentContext(ComponentId id, Path storageDir, MeterRegistry meterRegistry, Logger logger,
    Runnable exportsListener) {

  public ComponentContext {
    if (exportsListener == null) exportsListener = () -> { };
  }

  /** A context whose {@link #exportsChanged()} does nothing (tests, validation). */
  public ComponentContext(ComponentId id, Path storageDir, MeterRegistry meterRegistry, Logger logger) {
    this(id, storageDir, meterRegistry, logger, null);
  }

  /**
   * Tells the runtime that a config-value export (e.g. {@code discovery.docker}'s {@code targets})
   * now has a new value: {@link Component#exports()} returns it from now on, and the runtime
   * re-evaluates the components that reference this one, rebuilding those whose arguments changed.
   * Asynchronous and coalesced; may be called from any thread, never blocks.
   */
  public void exportsChanged() {
    exportsListener.run();
  }

  /** The tags every metric of this component carries: {@code component_id}. */
  public Tags tags() {
    return Tags.of("component_id", id.toString());
  }
}
