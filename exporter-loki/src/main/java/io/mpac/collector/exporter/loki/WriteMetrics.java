package io.mpac.collector.exporter.loki;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The self-metrics of one {@code loki.write} endpoint, with Alloy's Prometheus names. Every meter
 * carries {@code component_id}, {@code host} (the URL's host:port) and {@code tenant}.
 *
 * <table>
 *   <caption>loki.write metrics</caption>
 *   <tr><td>{@code loki_write_sent_entries_total}</td><td>entries Loki accepted</td></tr>
 *   <tr><td>{@code loki_write_sent_bytes_total}</td><td>compressed bytes of accepted requests</td></tr>
 *   <tr><td>{@code loki_write_encoded_bytes_total}</td><td>compressed bytes of requests made</td></tr>
 *   <tr><td>{@code loki_write_dropped_entries_total{reason}}</td><td>entries given up, by reason:
 *       {@code ingester_error} (4xx, or retries used up), {@code rate_limited} (429),
 *       {@code stream_limited} (max_streams, or Loki's stream limit), {@code line_too_long},
 *       {@code out_of_order} (out of order / too far behind), {@code shutdown} (not sent by the
 *       shutdown deadline, without the WAL), {@code worker_failed} (held by a worker that crashed,
 *       without the WAL; with it, a chunk that crashed the worker twice), {@code too_old} (read
 *       from the WAL after {@code max_segment_age})</td></tr>
 *   <tr><td>{@code loki_write_dropped_bytes_total{reason}}</td><td>their line bytes</td></tr>
 *   <tr><td>{@code loki_write_batch_retries_total}</td><td>retries of batches</td></tr>
 *   <tr><td>{@code loki_write_request_duration_seconds{status_code}}</td><td>push request
 *       duration histogram; status_code -1 for connection errors</td></tr>
 *   <tr><td>{@code loki_write_request_size_bytes}</td><td>compressed request sizes</td></tr>
 *   <tr><td>{@code loki_write_refused_entries_total{reason}}</td><td>entries {@code receiver}
 *       refused (back-pressure, the sender keeps them): {@code queue_full} (capacity, or the WAL's
 *       disk bound or a full disk), {@code shutting_down}; no {@code tenant} tag (ours)</td></tr>
 * </table>
 */
final class WriteMetrics {

  static final String REASON_GENERIC = "ingester_error";
  static final String REASON_RATE_LIMITED = "rate_limited";
  static final String REASON_STREAM_LIMITED = "stream_limited";
  static final String REASON_LINE_TOO_LONG = "line_too_long";
  static final String REASON_OUT_OF_ORDER = "out_of_order";
  static final String REASON_SHUTDOWN = "shutdown";
  static final String REASON_WORKER_FAILED = "worker_failed";
  static final String REASON_TOO_OLD = "too_old";
  static final String REFUSED_FULL = "queue_full";
  static final String REFUSED_STOPPING = "shutting_down";

  private static final String[] INITIAL_REASONS = {REASON_GENERIC, REASON_RATE_LIMITED, REASON_STREAM_LIMITED,
      REASON_LINE_TOO_LONG};

  /** The Prometheus client's default histogram buckets, which Alloy's duration histogram uses. */
  private static final Duration[] DURATION_BUCKETS = {
    Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)
  };

  private static final double KIB = 1024;
  private static final double[] SIZE_BUCKETS = {1 * KIB, 4 * KIB, 16 * KIB, 64 * KIB, 256 * KIB, 512 * KIB,
      1024 * KIB, 2048 * KIB, 4096 * KIB, 8192 * KIB, 16384 * KIB, 20480 * KIB};

  private final MeterRegistry registry;
  private final Tags base;
  private final ConcurrentHashMap<String, Tenant> tenants = new ConcurrentHashMap<>();

  /** The meters of one tenant. */
  final class Tenant {
    final String tenant;
    final Tags tags;
    final Counter sentEntries;
    final Counter sentBytes;
    final Counter encodedBytes;
    final Counter retries;
    final DistributionSummary requestSize;
    private final ConcurrentHashMap<String, Counter[]> dropped = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Timer> durations = new ConcurrentHashMap<>();

    Tenant(String tenant) {
      this.tenant = tenant;
      this.tags = base.and("tenant", tenant);
      sentEntries = Counter.builder("loki.write.sent.entries").description("Number of log entries sent to the ingester.")
          .tags(tags).register(registry);
      sentBytes = Counter.builder("loki.write.sent.bytes").description("Number of bytes sent.").tags(tags)
          .register(registry);
      encodedBytes = Counter.builder("loki.write.encoded.bytes").description("Number of bytes encoded and ready to send.")
          .tags(tags).register(registry);
      retries = Counter.builder("loki.write.batch.retries").description("Number of times batches has had to be retried.")
          .tags(tags).register(registry);
      requestSize = DistributionSummary.builder("loki.write.request.size").baseUnit("bytes")
          .description("Number of bytes for requests.").serviceLevelObjectives(SIZE_BUCKETS).tags(tags)
          .register(registry);
      for (String r : INITIAL_REASONS) dropped(r);
    }

    void drop(String reason, int entries, long bytes) {
      Counter[] c = dropped(reason);
      c[0].increment(entries);
      c[1].increment(bytes);
    }

    private Counter[] dropped(String reason) {
      return dropped.computeIfAbsent(reason, r -> new Counter[] {
          Counter.builder("loki.write.dropped.entries")
              .description("Number of log entries dropped because failed to be sent to the ingester after all retries.")
              .tags(tags).tag("reason", r).register(registry),
          Counter.builder("loki.write.dropped.bytes")
              .description("Number of bytes dropped because failed to be sent to the ingester after all retries.")
              .tags(tags).tag("reason", r).register(registry)});
    }

    void requestDuration(int status, long nanos) {
      durations.computeIfAbsent(status, s -> Timer.builder("loki.write.request.duration")
          .description("Duration of send requests.").tags(tags).tag("status_code", Integer.toString(s))
          .serviceLevelObjectives(DURATION_BUCKETS).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  private final ConcurrentHashMap<String, Counter> refused = new ConcurrentHashMap<>();

  WriteMetrics(MeterRegistry registry, Tags componentTags, String host) {
    this.registry = registry;
    this.base = componentTags.and("host", host);
    refused(REFUSED_FULL, 0);
  }

  /** Entries {@code receiver} refused for this endpoint. */
  void refused(String reason, int entries) {
    refused.computeIfAbsent(reason, r -> Counter.builder("loki.write.refused.entries")
        .description("Number of log entries refused (back-pressure: the sender keeps them).").tags(base)
        .tag("reason", r).register(registry)).increment(entries);
  }

  Tenant tenant(String tenant) {
    Tenant t = tenants.get(tenant);
    return t != null ? t : tenants.computeIfAbsent(tenant, Tenant::new);
  }
}
