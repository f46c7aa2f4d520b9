package io.mpac.collector.exporter.loadbalancing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.mpac.collector.component.InstanceGauges;
import io.mpac.collector.pdata.Signal;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The load balancer's own metrics (each back end's exporter adds the usual
 * {@code otelcol_exporter_*} series under its own {@code component_id}):
 * <ul>
 *   <li>{@code otelcol_loadbalancer_backends}: back ends in the ring now;
 *   <li>{@code otelcol_loadbalancer_ring_changes_total}: times the set of back ends changed;
 *   <li>{@code otelcol_loadbalancer_routed_<unit>_total{backend}}: items handed to each back end;
 *   <li>{@code otelcol_loadbalancer_rerouted_<unit>_total}: items a departing back end still held,
 *       sent again through the new ring;
 *   <li>{@code otelcol_loadbalancer_resolver_failures_total}: failed or timed-out DNS lookups.
 * </ul>
 */
final class LoadBalancerMetrics {

  private final MeterRegistry registry;
  private final Tags tags;
  private final InstanceGauges gauges;
  final Counter ringChanges;
  final Counter resolverFailures;
  private final Map<Signal, Counter> rerouted = new EnumMap<>(Signal.class);

  LoadBalancerMetrics(MeterRegistry registry, Tags tags, Supplier<Number> backendCount) {
    this.registry = registry;
    this.tags = tags;
    this.gauges = new InstanceGauges(registry).add(Gauge.builder("otelcol.loadbalancer.backends", backendCount)
        .tags(tags).description("Back ends in the ring"));
    this.ringChanges = Counter.builder("otelcol.loadbalancer.ring.changes").tags(tags)
        .description("Times the set of back ends changed").register(registry);
    this.resolverFailures = Counter.builder("otelcol.loadbalancer.resolver.failures").tags(tags)
        .description("DNS lookups that failed or timed out (the last good list stays)").register(registry);
    for (Signal s : Signal.values()) {
      rerouted.put(s, Counter.builder("otelcol.loadbalancer.rerouted." + s.itemName()).tags(tags)
          .description("Items a departing back end still held, sent again through the new ring").register(registry));
    }
  }

  /** The per-signal routed-items counters of one back end. */
  Map<Signal, Counter> routedCounters(String backend) {
    Map<Signal, Counter> out = new EnumMap<>(Signal.class);
    for (Signal s : Signal.values()) {
      out.put(s, Counter.builder("otelcol.loadbalancer.routed." + s.itemName()).tags(tags.and("backend", backend))
          .description("Items handed to this back end").register(registry));
    }
    return out;
  }

  void rerouted(Signal s, int items) {
    rerouted.get(s).increment(items);
  }

  /** Registers the gauge (at start: see {@link InstanceGauges}). */
  void start() {
    gauges.register();
  }

  void close() {
    gauges.remove();
  }
}
