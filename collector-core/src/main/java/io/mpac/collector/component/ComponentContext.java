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
 */
public record ComponentContext(ComponentId id, Path storageDir, MeterRegistry meterRegistry, Logger logger) {

  /** The tags every metric of this component carries: {@code component_id}. */
  public Tags tags() {
    return Tags.of("component_id", id.toString());
  }
}
