package io.mpac.collector.exporter;

import java.time.Duration;

/**
 * When to try a failed request again, and when to give up. Two variants exist, as the backends'
 * own clients have them: {@link RetryPolicy} ends retries by elapsed time (OpenTelemetry's
 * {@code retry_on_failure}), a count-based schedule ends them after a number of retries (Loki's and
 * Prometheus's {@code min_backoff}/{@code max_backoff}/{@code max_backoff_retries}). {@link Delivery}
 * runs either.
 */
public interface RetrySchedule {

  /** {@link Backoff#nextDelayNanos} returns this when the request must be given up. */
  long STOP = -1;

  /** The schedule of one request whose first attempt started at {@code startNanos}. */
  Backoff start(long startNanos);

  /** The retry state of one request. Not thread-safe: one request is retried by one thread. */
  interface Backoff {

    /**
     * The wait before the next attempt, at least {@code serverDelay} when the server named one
     * (already capped by the caller), or {@link #STOP}.
     */
    long nextDelayNanos(long nowNanos, Duration serverDelay);

    /** Retries scheduled so far. */
    int retries();

    /** Why retries ended, for the drop log line: "after 6 attempts in 5.0m (max_elapsed_time 5m)". */
    String exhausted(long nowNanos);
  }
}
