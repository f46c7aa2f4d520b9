package io.mpac.collector.exporter.prometheus;

import io.mpac.collector.exporter.Delivery;
import io.mpac.collector.exporter.RetrySchedule;
import java.time.Duration;

/**
 * Remote write's retry schedule, as Prometheus has it: the first wait is {@code min_backoff}, each
 * next one twice the last, at most {@code max_backoff}, never less than the server's
 * {@code Retry-After}; retries never end by count or time (a batch is given up only for good
 * reasons: a permanent refusal, {@code sample_age_limit}, {@code max_keepalive_time}, or the
 * shutdown deadline, where the WAL keeps it).
 *
 * <p>Note for the lead: this is the count-based {@code RetrySchedule} with an unlimited count; it
 * folds into exporter-common's {@code CountedBackoff} once that lands.
 */
final class DoublingBackoff implements RetrySchedule {

  private final long minNanos;
  private final long maxNanos;

  DoublingBackoff(Duration min, Duration max) {
    if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException("need 0 < min_backoff <= max_backoff");
    }
    this.minNanos = min.toNanos();
    this.maxNanos = max.toNanos();
  }

  @Override
  public Backoff start(long startNanos) {
    return new Backoff() {
      private long next = minNanos;
      private int retries;

      @Override
      public long nextDelayNanos(long nowNanos, Duration serverDelay) {
        long delay = next;
        next = next >= maxNanos / 2 ? maxNanos : next * 2;
        if (serverDelay != null) delay = Math.max(delay, serverDelay.toNanos());
        retries++;
        return delay;
      }

      @Override
      public int retries() {
        return retries;
      }

      @Override
      public String exhausted(long nowNanos) {
        return "after " + (retries + 1) + " attempts in " + Delivery.formatNanos(nowNanos - startNanos);
      }
    };
  }
}
