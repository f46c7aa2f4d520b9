package io.mpac.collector.exporter;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * The count-based {@link RetrySchedule} of Loki's and Prometheus's clients ({@code min_backoff},
 * {@code max_backoff}, {@code max_backoff_retries}): the n-th wait is drawn uniformly from
 * {@code [min·2^n, min·2^(n+1))}, both ends capped at {@code max} (once the upper end reaches
 * {@code max} the window stays where it is, as in dskit's backoff); after {@code maxRetries} retries
 * the request is given up ({@code 0} = never: retry until shutdown). A server's delay raises a wait
 * to at least that delay.
 *
 * <pre>
 *   min 100ms, max 1s, random 0.5:  150ms, 300ms, 600ms, 900ms, 900ms, …  (windows [100,200) [200,400)
 *                                   [400,800) [800,1000), then [800,1000) from there on)
 * </pre>
 */
public final class CountedBackoff implements RetrySchedule {

  private final long minNanos;
  private final long maxNanos;
  private final int maxRetries;
  private final DoubleSupplier random;

  /**
   * @param min the first wait's lower bound (greater than zero)
   * @param max the largest wait (at least {@code min})
   * @param maxRetries retries before giving up; 0 retries forever
   * @param random uniform in [0, 1), for jitter
   */
  public CountedBackoff(Duration min, Duration max, int maxRetries, DoubleSupplier random) {
    if (min.isNegative() || min.isZero()) throw new IllegalArgumentException("min backoff must be > 0: " + min);
    if (max.compareTo(min) < 0) throw new IllegalArgumentException("max backoff " + max + " < min backoff " + min);
    if (maxRetries < 0) throw new IllegalArgumentException("max retries must not be negative: " + maxRetries);
    this.minNanos = min.toNanos();
    this.maxNanos = max.toNanos();
    this.maxRetries = maxRetries;
    this.random = Objects.requireNonNull(random, "random");
  }

  @Override
  public Backoff start(long startNanos) {
    return new Counted();
  }

  private final class Counted implements Backoff {
    private long low = minNanos;
    private long high = doubled(minNanos);
    private int retries;

    @Override
    public long nextDelayNanos(long nowNanos, Duration serverDelay) {
      if (maxRetries != 0 && retries >= maxRetries) return STOP;
      retries++;
      long delay;
      if (low >= high) {
        delay = low;
      } else {
        delay = low + (long) (random.getAsDouble() * (high - low));
        if (high < maxNanos) { // as dskit: once the window reaches max it stays [low, max)
          low = doubled(low);
          high = doubled(high);
        }
      }
      if (serverDelay != null) delay = Math.max(delay, serverDelay.toNanos());
      return delay;
    }

    @Override
    public int retries() {
      return retries;
    }

    @Override
    public String exhausted(long nowNanos) {
      return "no retries left after " + (retries + 1) + " attempts (max_backoff_retries " + maxRetries + ")";
    }
  }

  private long doubled(long d) {
    return d > maxNanos / 2 ? maxNanos : d * 2;
  }
}
