package io.mpac.collector.exporter.loadbalancing;

import io.mpac.collector.pdata.Signal;
import java.util.EnumSet;
import java.util.Set;

/** Alloy's {@code routing_key} values and the signals each one routes. */
enum RoutingKey {
  /** Every span (and log record) of a trace goes to the same back end. */
  TRACE_ID("traceID", EnumSet.of(Signal.TRACES, Signal.LOGS)),
  /** Everything of a {@code service.name} goes to the same back end. */
  SERVICE("service", EnumSet.allOf(Signal.class)),
  /** Metrics of the same resource (all its attributes) go to the same back end. */
  RESOURCE("resource", EnumSet.of(Signal.METRICS)),
  /** Metrics with the same name go to the same back end. */
  METRIC("metric", EnumSet.of(Signal.METRICS)),
  /** Data points of the same stream (resource, scope, metric name, point attributes) go together. */
  STREAM_ID("streamID", EnumSet.of(Signal.METRICS));

  private final String configName;
  private final Set<Signal> signals;

  RoutingKey(String configName, Set<Signal> signals) {
    this.configName = configName;
    this.signals = Set.copyOf(signals);
  }

  String configName() {
    return configName;
  }

  Set<Signal> signals() {
    return signals;
  }

  /** The key spelled as in config, or null. */
  static RoutingKey parse(String s) {
    for (RoutingKey k : values()) {
      if (k.configName.equals(s)) return k;
    }
    return null;
  }

  static String choices() {
    StringBuilder sb = new StringBuilder();
    for (RoutingKey k : values()) {
      if (sb.length() > 0) sb.append(", ");
      sb.append('"').append(k.configName).append('"');
    }
    return sb.toString();
  }
}
