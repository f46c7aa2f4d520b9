package io.mpac.collector.component;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * The gauges of one component instance, registered at {@code start} and removed at
 * {@code shutdown}. A gauge points at the instance it measures, and Micrometer keeps the first
 * gauge registered under a name and tags: a reload builds the replacement while its predecessor
 * still runs, so a gauge registered at creation would be the predecessor's (reporting a dead
 * object), and the predecessor's shutdown would then remove it. Counters need none of this: they
 * hold no reference and carry on across a replacement.
 */
public final class InstanceGauges {

  private final MeterRegistry registry;
  private final List<Gauge.Builder<?>> declared = new ArrayList<>();
  private final List<Meter> registered = new ArrayList<>();

  public InstanceGauges(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Declares a gauge; it is registered by {@link #register()}. */
  public synchronized InstanceGauges add(Gauge.Builder<?> gauge) {
    declared.add(gauge);
    return this;
  }

  /** Registers the declared gauges (at start); idempotent. */
  public synchronized void register() {
    if (!registered.isEmpty()) return;
    for (Gauge.Builder<?> g : declared) registered.add(g.register(registry));
  }

  /** Removes what {@link #register()} registered (at shutdown); idempotent. */
  public synchronized void remove() {
    for (Meter m : registered) registry.remove(m);
    registered.clear();
  }
}
