package io.mpac.collector.exporter.prometheus;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import io.mpac.collector.exporter.queue.QueueStore;

/**
 * Self-metrics of one remote-write endpoint, named as Prometheus names them so existing
 * dashboards work (Micrometer adds {@code _total} to counters and {@code _seconds} to timers).
 * Tags: {@code component_id}, {@code remote_name}, {@code url}.
 *
 * <ul>
 *   <li>{@code prometheus_remote_storage_{samples,histograms,exemplars}_total}: sent successfully
 *   <li>{@code ..._failed_total}: refused by the endpoint for good (4xx other than a retried 429)
 *   <li>{@code ..._retried_total}: in attempts that failed and were retried
 *   <li>{@code ..._dropped_total{reason}}: never sent: {@code too_old} ({@code sample_age_limit}),
 *       {@code max_keepalive_time} (in the WAL longer than that), {@code shutdown} (still queued at
 *       the shutdown deadline with an in-memory WAL: tests only), {@code crash} (held by a worker
 *       that threw), {@code native_histograms_disabled} (histograms while
 *       {@code send_native_histograms = false})
 *   <li>{@code prometheus_remote_storage_samples_refused_total}: refused at append because the
 *       WAL was full (the OTLP sender is asked to retry)
 *   <li>{@code prometheus_remote_storage_samples_pending} (read from the WAL, in the shards, not
 *       yet sent), {@code prometheus_remote_storage_shards} (running now; it moves between
 *       {@code prometheus_remote_storage_shards_min} and {@code _max} with the load), {@code
 *       prometheus_remote_storage_shards_desired}
 *   <li>{@code prometheus_remote_write_wal_samples_appended_total}, {@code
 *       prometheus_remote_write_wal_storage_{bytes,records,samples}}: the endpoint's WAL
 *   <li>{@code prometheus_remote_storage_sent_batch_duration_seconds} (histogram)
 *   <li>{@code prometheus_remote_storage_bytes_total} (compressed), {@code
 *       prometheus_remote_storage_metadata_total}, {@code ..._metadata_failed_total}
 * </ul>
 */
final class RemoteWriteMetrics {

  /** The counters of one kind of data ("samples", "histograms", "exemplars"). */
  final class Kind {
    final Counter total;
    final Counter failed;
    final Counter retried;
    private final String name;
    private final Map<String, Counter> dropped = new ConcurrentHashMap<>();

    Kind(String name) {
      this.name = name;
      total = counter("prometheus.remote.storage." + name, "Total number of " + name + " sent to remote storage.");
      failed = counter("prometheus.remote.storage." + name + ".failed",
          "Total number of " + name + " which failed on send to remote storage, non-recoverable errors.");
      retried = counter("prometheus.remote.storage." + name + ".retried",
          "Total number of " + name + " which failed on send to remote storage but were retried.");
    }

    Counter dropped(String reason) {
      return dropped.computeIfAbsent(reason, r -> Counter.builder("prometheus.remote.storage." + name + ".dropped")
          .description("Total number of " + name + " dropped before they could be sent, by reason.")
          .tags(tags).tag("reason", r).register(registry));
    }
  }

  private final MeterRegistry registry;
  private final java.util.List<Meter> gauges = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Tags tags;
  final Kind samples;
  final Kind histograms;
  final Kind exemplars;
  final Counter refused;
  final Counter walAppended;
  final Counter walReclaimed;
  final Counter bytes;
  final Counter metadata;
  final Counter metadataFailed;
  final Timer sentBatchDuration;

  RemoteWriteMetrics(MeterRegistry registry, Tags componentTags, String remoteName, String url) {
    this.registry = registry;
    this.tags = componentTags.and("remote_name", remoteName, "url", url);
    samples = new Kind("samples");
    histograms = new Kind("histograms");
    exemplars = new Kind("exemplars");
    for (String r : new String[] {"too_old", "shutdown", "max_keepalive_time", "worker_failed"}) {
      samples.dropped(r);
      histograms.dropped(r);
    }
    histograms.dropped("native_histograms_disabled");
    refused = counter("prometheus.remote.storage.samples.refused",
        "Samples and histograms refused at append because the WAL was full (or the disk).");
    walAppended = counter("prometheus.remote.write.wal.samples.appended",
        "Samples and histograms written to this endpoint's WAL.");
    walReclaimed = counter("prometheus.remote.write.wal.compacted.bytes",
        "Bytes of WAL disk reclaimed by compaction at truncation (truncate_frequency).");
    bytes = counter("prometheus.remote.storage.bytes", "Compressed bytes of requests sent successfully.");
    metadata = counter("prometheus.remote.storage.metadata", "Metadata entries sent to remote storage.");
    metadataFailed = counter("prometheus.remote.storage.metadata.failed", "Metadata entries that failed to send.");
    sentBatchDuration = Timer.builder("prometheus.remote.storage.sent.batch.duration")
        .description("Duration of send calls to the remote storage.")
        .serviceLevelObjectives(Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(25), Duration.ofSeconds(60))
        .tags(tags).register(registry);
  }

  /**
   * Registers the gauges, which point at one running endpoint: at start, and removed at stop
   * ({@link #removeGauges}), because a reload builds the next instance under the same tags while
   * this one still runs.
   */
  void registerGauges(Supplier<Number> pending, Supplier<Number> shards, Supplier<Number> desiredShards,
      int minShards, int maxShards, Supplier<QueueStore.Usage> wal) {
    gauges.add(Gauge.builder("prometheus.remote.storage.samples.pending", pending)
        .description("Samples and histograms read from the WAL, not yet sent.").tags(tags).register(registry));
    gauges.add(Gauge.builder("prometheus.remote.storage.shards", shards)
        .description("Number of shards sending in parallel now.").tags(tags).register(registry));
    gauges.add(Gauge.builder("prometheus.remote.storage.shards.desired", desiredShards)
        .description("Shards the load asked for at the last reconsideration, before rounding and bounds.")
        .tags(tags).register(registry));
    gauges.add(Gauge.builder("prometheus.remote.storage.shards.min", () -> minShards)
        .description("min_shards.").tags(tags).register(registry));
    gauges.add(Gauge.builder("prometheus.remote.storage.shards.max", () -> maxShards)
        .description("max_shards.").tags(tags).register(registry));
    gauges.add(Gauge.builder("prometheus.remote.write.wal.storage.bytes", () -> wal.get().bytes())
        .description("Bytes the endpoint's WAL holds (on disk: including acked records not yet reclaimed).")
        .tags(tags).register(registry));
    gauges.add(Gauge.builder("prometheus.remote.write.wal.storage.records", () -> wal.get().count())
        .description("WAL records not yet acked (unsent, or partly sent).").tags(tags).register(registry));
    gauges.add(Gauge.builder("prometheus.remote.write.wal.storage.samples", () -> wal.get().items())
        .description("Samples and histograms in WAL records not yet acked.").tags(tags).register(registry));
  }

  void removeGauges() {
    for (Meter g : gauges) registry.remove(g);
    gauges.clear();
  }

  private Counter counter(String name, String help) {
    return Counter.builder(name).description(help).tags(tags).register(registry);
  }
}
