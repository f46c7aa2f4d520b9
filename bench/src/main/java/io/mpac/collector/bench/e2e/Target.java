package io.mpac.collector.bench.e2e;

import java.util.Locale;

/** What the load goes through on its way to the null sink. */
enum Target {
  /** The floor: {@link ZeroWorkRelay}'s default variant ({@code bytes-1loop}), which forwards each request's bytes unchanged. */
  RELAY,
  /** {@link ZeroWorkRelay}'s {@code detach} variant: only run to show the floor is the fastest relay we have. */
  RELAY_DETACH,
  /** {@link ZeroWorkRelay}'s {@code bytes} variant (server and channel on gRPC's shared loops): only run to show the floor is the fastest relay we have. */
  RELAY_2LOOP,
  /** mpac-collector: {@code otelcol.receiver.otlp} (gRPC) → {@code otelcol.processor.batch} → {@code otelcol.exporter.otlp}. */
  COLLECTOR,
  /**
   * The same collector with a persistent sending queue
   * ({@code sending_queue { storage = otelcol.storage.file.queue.handler }}, fsync off as by default),
   * its queue under {@code --storage.path} in the work directory.
   */
  COLLECTOR_PERSISTENT,
  /**
   * The same pipeline with {@code otelcol.exporter.loadbalancing} (routing by trace id, a static
   * list of three sinks) in place of {@code otelcol.exporter.otlp}; run by {@code LoadBalancingBenchmark}.
   */
  COLLECTOR_LOADBALANCING,
  /** The same pipeline as {@link #COLLECTOR} from another build ({@code --baseline-jar}): before/after comparisons. */
  COLLECTOR_BASELINE;

  /** The relay variant this target runs, or null for a collector. */
  ZeroWorkRelay.Variant relayVariant() {
    return switch (this) {
      case RELAY -> ZeroWorkRelay.DEFAULT;
      case RELAY_DETACH -> ZeroWorkRelay.Variant.DETACH;
      case RELAY_2LOOP -> ZeroWorkRelay.Variant.BYTES;
      case COLLECTOR, COLLECTOR_PERSISTENT, COLLECTOR_LOADBALANCING, COLLECTOR_BASELINE -> null;
    };
  }

  String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static Target parse(String s) {
    for (Target t : values()) {
      if (t.label().equals(s.trim())) return t;
    }
    throw new IllegalArgumentException("unknown target \"" + s + "\" (relay, relay-detach, relay-2loop, collector, "
        + "collector-persistent, collector-loadbalancing, collector-baseline)");
  }
}
