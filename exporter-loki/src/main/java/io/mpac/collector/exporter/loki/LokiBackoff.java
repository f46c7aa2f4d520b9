package io.mpac.collector.exporter.loki;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * The retry schedule of one batch, as Loki clients (dskit's backoff) compute it: the n-th wait is
 * drawn uniformly from {@code [min·2^n, min·2^(n+1))}, both ends capped at
 * {@code max_backoff_period}; after {@code max_backoff_retries} retries the batch is given up
 * (0 = never). A server's {@code Retry-After} raises a wait to at least that delay.
 *
 * <p>(Why not the shared {@code RetryPolicy}: it ends retries by elapsed time, Loki by count.)
 */
final class LokiBackoff {

  private final long maxNanos;
  private final int maxRetries;
  private final DoubleSupplier random;
  private long nextMin;
  private long nextMax;
  private int retries;

  LokiBackoff(Duration min, Duration max, int maxRetries, DoubleSupplier random) {
    this.maxNanos = max.toNanos();
    this.maxRetries = maxRetries;
    this.random = random;
    this.nextMin = Math.min(min.toNanos(), maxNanos);
    this.nextMax = doubled(nextMin);
  }

  private long doubled(long d) {
    return d > maxNanos / 2 ? maxNanos : d * 2;
  }

  /** Retries done so far. */
  int retries() {
    return retries;
  }

  /** True while another retry is allowed. */
  boolean canRetry() {
    return maxRetries == 0 || retries < maxRetries;
  }

  /** The wait before the next retry (counts it as done), at least {@code serverDelay} when given. */
  long nextDelayNanos(Duration serverDelay) {
    retries++;
    long delay;
    if (nextMin >= nextMax) {
      delay = nextMin;
    } else {
      delay = nextMin + (long) (random.getAsDouble() * (nextMax - nextMin));
      if (nextMax < maxNanos) {
        nextMin = doubled(nextMin);
        nextMax = doubled(nextMax);
      }
    }
    if (serverDelay != null) delay = Math.max(delay, serverDelay.toNanos());
    return delay;
  }
}
